/*
 * kvstore.c - example Calimero guest application (current descriptor ABI).
 *
 * A string -> string key-value store written in freestanding C (no libc),
 * compiled for wasm32. Every aggregate handed to the host is passed as an i64
 * pointer to a descriptor in linear memory (ABI.md section 1.2).
 *
 * Methods (all `void name(void)`, arguments as a JSON object via `input`):
 *   init, set, get, remove, get_or_err, set_then_fail, len
 * See README.md for the behaviour of each method.
 */

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef __SIZE_TYPE__ usize;
typedef __UINTPTR_TYPE__ uptr;

/* ------------------------------------------------------------------------ */
/* Descriptors (ABI.md 1.2) - all little-endian, no alignment requirement.  */

typedef struct { u64 ptr; u64 len; } Buffer;                         /* 16 B */
typedef struct { u64 file_ptr; u64 file_len; u32 line; u32 column; } Location; /* 24 B */
typedef struct { u64 kind_ptr; u64 kind_len; u64 data_ptr; u64 data_len; } Event; /* 32 B */
typedef struct { u64 tag; u64 ptr; u64 len; } ValueReturn;           /* 24 B */

_Static_assert(sizeof(Buffer) == 16, "Buffer layout");
_Static_assert(sizeof(Location) == 24, "Location layout");
_Static_assert(sizeof(Event) == 32, "Event layout");
_Static_assert(sizeof(ValueReturn) == 24, "ValueReturn layout");

/* ------------------------------------------------------------------------ */
/* Host imports (module "env", ABI.md section 3).                           */

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name), visibility("default")))

IMPORT(input)          void host_input(u64 reg);
IMPORT(register_len)   u64  host_register_len(u64 reg);
IMPORT(read_register)  u32  host_read_register(u64 reg, u64 bufmut);
IMPORT(value_return)   void host_value_return(u64 vr);
IMPORT(panic_utf8)     void host_panic_utf8(u64 msg, u64 loc);
IMPORT(log_utf8)       void host_log_utf8(u64 buf);
IMPORT(emit)           void host_emit(u64 event);
IMPORT(storage_read)   u32  host_storage_read(u64 key, u64 reg);
IMPORT(storage_write)  u32  host_storage_write(u64 key, u64 val, u64 reg);
IMPORT(storage_remove) u32  host_storage_remove(u64 key, u64 reg);
IMPORT(commit)         void host_commit(u64 root, u64 artifact);

#define SCRATCH_REG 0ULL
#define MAX_LOG_BYTES 16384u      /* VMLimits.max_log_size */
#define MAX_EVENT_DATA 16384u     /* VMLimits.max_event_data_size */

/* Zero-extended 32-bit address as u64. */
static inline u64 P(const void *p) { return (u64)(uptr)p; }

/* ------------------------------------------------------------------------ */
/* Freestanding helpers. Built with -fno-builtin so these loops are never   */
/* turned back into calls to memcpy/memset.                                 */

void *memcpy(void *dst, const void *src, usize n) {
    u8 *d = (u8 *)dst; const u8 *s = (const u8 *)src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, usize n) {
    u8 *d = (u8 *)dst;
    while (n--) *d++ = (u8)c;
    return dst;
}

static usize cstrlen(const char *s) { usize n = 0; while (s[n]) n++; return n; }

static int bytes_eq(const u8 *a, usize alen, const char *lit) {
    usize n = cstrlen(lit);
    if (alen != n) return 0;
    for (usize i = 0; i < n; i++) if (a[i] != (u8)lit[i]) return 0;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Panics                                                                   */

__attribute__((noreturn, noinline))
static void fail_at(const char *msg, u32 line) {
    static const char file[] = __FILE_NAME__;   /* always just "kvstore.c" */
    Buffer m = { P(msg), cstrlen(msg) };
    Location loc = { P(file), sizeof(file) - 1, line, 1 };
    host_panic_utf8(P(&m), P(&loc));
    __builtin_unreachable();
}
#define FAIL(msg) fail_at((msg), __LINE__)

/* ------------------------------------------------------------------------ */
/* Bump allocator over linear memory, growing it on demand.                 */

extern u8 __heap_base;
static uptr heap_top;

static void *alloc(usize n) {
    if (!heap_top) heap_top = (uptr)&__heap_base;
    uptr start = (heap_top + 7u) & ~(uptr)7u;
    if (n > 0xFFFFFFFFu - start) FAIL("out of memory");
    uptr end = start + n;
    u64 have = (u64)__builtin_wasm_memory_size(0) * 65536u;
    if ((u64)end > have) {
        u64 need = ((u64)end - have + 65535u) / 65536u;
        if (__builtin_wasm_memory_grow(0, (usize)need) == (usize)-1) FAIL("out of memory");
    }
    heap_top = end;
    return (void *)start;
}

/* Byte string builder with a fixed capacity chosen up front. */
typedef struct { u8 *p; usize len; } Str;

static Str str_alloc(usize cap) { Str s = { (u8 *)alloc(cap ? cap : 1), 0 }; return s; }
static void str_put(Str *s, const void *src, usize n) { memcpy(s->p + s->len, src, n); s->len += n; }
static void str_lit(Str *s, const char *lit) { str_put(s, lit, cstrlen(lit)); }
static void str_byte(Str *s, u8 c) { s->p[s->len++] = c; }

/* ------------------------------------------------------------------------ */
/* Host wrappers                                                            */

/* Read a register into fresh memory. Returns 0 (and *len = 0) if absent. */
static u8 *read_reg(u64 reg, usize *len) {
    u64 n = host_register_len(reg);
    if (n == ~0ULL) { *len = 0; return 0; }
    u8 *p = (u8 *)alloc((usize)n);
    Buffer b = { P(p), n };
    if (n && !host_read_register(reg, P(&b))) FAIL("read_register: length mismatch");
    *len = (usize)n;
    return p;
}

static u8 *read_input(usize *len) {
    host_input(SCRATCH_REG);
    u8 *p = read_reg(SCRATCH_REG, len);
    if (!p) { *len = 0; p = (u8 *)alloc(1); }
    return p;
}

static void ret_bytes(u64 tag, const u8 *p, usize n) {
    ValueReturn vr = { tag, n ? P(p) : 0, n };
    host_value_return(P(&vr));
}
static void ret_ok(Str s)  { ret_bytes(0, s.p, s.len); }
static void ret_err(Str s) { ret_bytes(1, s.p, s.len); }

static void log_bytes(const u8 *p, usize n) {
    Buffer b = { n ? P(p) : 0, n };
    host_log_utf8(P(&b));
}

static void emit_event(const char *kind, const u8 *data, usize n) {
    Event e = { P(kind), cstrlen(kind), n ? P(data) : 0, n };
    host_emit(P(&e));
}

/* storage_read: returns value (fresh memory) or 0 if missing. */
static u8 *st_get(const u8 *k, usize klen, usize *vlen) {
    Buffer kb = { klen ? P(k) : 0, klen };
    if (!host_storage_read(P(&kb), SCRATCH_REG)) { *vlen = 0; return 0; }
    return read_reg(SCRATCH_REG, vlen);
}

/* storage_write: returns previous value or 0 if the key was new. */
static u8 *st_put(const u8 *k, usize klen, const u8 *v, usize vlen, usize *oldlen) {
    Buffer kb = { klen ? P(k) : 0, klen };
    Buffer vb = { vlen ? P(v) : 0, vlen };
    if (!host_storage_write(P(&kb), P(&vb), SCRATCH_REG)) { *oldlen = 0; return 0; }
    return read_reg(SCRATCH_REG, oldlen);
}

/* storage_remove: returns removed value or 0 if absent. */
static u8 *st_del(const u8 *k, usize klen, usize *oldlen) {
    Buffer kb = { klen ? P(k) : 0, klen };
    if (!host_storage_remove(P(&kb), SCRATCH_REG)) { *oldlen = 0; return 0; }
    return read_reg(SCRATCH_REG, oldlen);
}

/* ------------------------------------------------------------------------ */
/* Deterministic 32-byte root: four FNV-1a-64 lanes + splitmix finaliser.   */

typedef struct { u64 h[4]; } Hash;

static void hash_init(Hash *x) {
    static const u64 seeds[4] = { 0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL,
                                  0x9e3779b97f4a7c15ULL, 0x2545f4914f6cdd1dULL };
    for (int i = 0; i < 4; i++) x->h[i] = seeds[i];
}
static void hash_bytes(Hash *x, const u8 *p, usize n) {
    for (int i = 0; i < 4; i++) {
        u64 h = x->h[i];
        for (usize j = 0; j < n; j++) { h ^= (u64)p[j] + (u64)i; h *= 0x100000001b3ULL; }
        h ^= (u64)n; h *= 0x100000001b3ULL;      /* length-delimit each field */
        x->h[i] = h;
    }
}
static void hash_final(Hash *x, u8 out[32]) {
    for (int i = 0; i < 4; i++) {
        u64 z = x->h[i] + 0x9e3779b97f4a7c15ULL * (u64)(i + 1);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        for (int b = 0; b < 8; b++) out[i * 8 + b] = (u8)(z >> (8 * b));
    }
}

static void do_commit(const char *op, const u8 *key, usize klen,
                      const u8 *val, usize vlen, u64 count) {
    Hash h; u8 root[32]; u8 cnt[8];
    hash_init(&h);
    hash_bytes(&h, (const u8 *)op, cstrlen(op));
    hash_bytes(&h, key, klen);
    hash_bytes(&h, val, vlen);
    for (int b = 0; b < 8; b++) cnt[b] = (u8)(count >> (8 * b));
    hash_bytes(&h, cnt, 8);
    hash_final(&h, root);

    Str art = str_alloc(cstrlen(op) + 1 + klen);     /* "<op>:<key>", never empty */
    str_lit(&art, op); str_byte(&art, ':'); str_put(&art, key, klen);

    Buffer rb = { P(root), 32 };
    Buffer ab = { P(art.p), art.len };
    host_commit(P(&rb), P(&ab));
}

/* ------------------------------------------------------------------------ */
/* JSON input: a flat object whose field values are all strings.            */

#define ERR_OBJ "invalid input: expected JSON object with string field \"key\""

static int utf8_valid(const u8 *s, usize n) {
    usize i = 0;
    while (i < n) {
        u8 c = s[i];
        if (c < 0x80) { i++; continue; }
        usize need; u32 cp;
        if (c >= 0xC2 && c <= 0xDF)      { need = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; }
        else return 0;
        if (n - i - 1 < need) return 0;
        for (usize k = 1; k <= need; k++) {
            u8 d = s[i + k];
            if ((d & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (d & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += need + 1;
    }
    return 1;
}

typedef struct { const u8 *s; usize n; usize i; } Parser;

static int is_ws(u8 c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static void skip_ws(Parser *p) { while (p->i < p->n && is_ws(p->s[p->i])) p->i++; }

static int hexval(u8 c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static u32 parse_hex4(Parser *p) {
    if (p->n - p->i < 4) FAIL("invalid input: truncated \\u escape in string");
    u32 v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p->s[p->i + k]);
        if (h < 0) FAIL("invalid input: invalid \\u escape in string (expected 4 hex digits)");
        v = (v << 4) | (u32)h;
    }
    p->i += 4;
    return v;
}

static void put_utf8(Str *o, u32 cp) {
    if (cp < 0x80) str_byte(o, (u8)cp);
    else if (cp < 0x800) { str_byte(o, (u8)(0xC0 | (cp >> 6))); str_byte(o, (u8)(0x80 | (cp & 0x3F))); }
    else if (cp < 0x10000) {
        str_byte(o, (u8)(0xE0 | (cp >> 12)));
        str_byte(o, (u8)(0x80 | ((cp >> 6) & 0x3F)));
        str_byte(o, (u8)(0x80 | (cp & 0x3F)));
    } else {
        str_byte(o, (u8)(0xF0 | (cp >> 18)));
        str_byte(o, (u8)(0x80 | ((cp >> 12) & 0x3F)));
        str_byte(o, (u8)(0x80 | ((cp >> 6) & 0x3F)));
        str_byte(o, (u8)(0x80 | (cp & 0x3F)));
    }
}

/* Parses a JSON string at p->i (which must be '"'); returns unescaped bytes. */
static Str parse_string(Parser *p) {
    if (p->i >= p->n || p->s[p->i] != '"') FAIL(ERR_OBJ);
    usize start = ++p->i;
    /* Find the closing quote first so we can size the output exactly. */
    usize j = start;
    while (j < p->n && p->s[j] != '"') j += (p->s[j] == '\\') ? 2 : 1;
    if (j >= p->n) FAIL("invalid input: unterminated string");
    Str o = str_alloc(j - start);     /* unescaping never grows the data */
    while (p->i < j) {
        u8 c = p->s[p->i++];
        if (c < 0x20) FAIL("invalid input: unescaped control character in string");
        if (c != '\\') { str_byte(&o, c); continue; }
        u8 e = p->s[p->i++];
        switch (e) {
        case '"': str_byte(&o, '"'); break;
        case '\\': str_byte(&o, '\\'); break;
        case '/': str_byte(&o, '/'); break;
        case 'b': str_byte(&o, '\b'); break;
        case 'f': str_byte(&o, '\f'); break;
        case 'n': str_byte(&o, '\n'); break;
        case 'r': str_byte(&o, '\r'); break;
        case 't': str_byte(&o, '\t'); break;
        case 'u': {
            u32 cp = parse_hex4(p);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (j - p->i < 6 || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
                    FAIL("invalid input: unpaired UTF-16 surrogate in \\u escape");
                p->i += 2;
                u32 lo = parse_hex4(p);
                if (lo < 0xDC00 || lo > 0xDFFF)
                    FAIL("invalid input: unpaired UTF-16 surrogate in \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                FAIL("invalid input: unpaired UTF-16 surrogate in \\u escape");
            }
            put_utf8(&o, cp);
            break;
        }
        default:
            FAIL("invalid input: invalid escape sequence in string");
        }
    }
    p->i = j + 1;
    return o;
}

typedef struct { Str key; Str value; int has_key; int has_value; } Args;

static Args parse_args(void) {
    usize n;
    const u8 *s = read_input(&n);
    if (!utf8_valid(s, n)) FAIL("invalid input: not valid UTF-8");
    Parser p = { s, n, 0 };
    Args a = { { 0, 0 }, { 0, 0 }, 0, 0 };
    skip_ws(&p);
    if (p.i >= p.n || s[p.i] != '{') FAIL(ERR_OBJ);
    p.i++;
    skip_ws(&p);
    if (p.i < p.n && s[p.i] == '}') {
        p.i++;
    } else {
        for (;;) {
            skip_ws(&p);
            if (p.i >= p.n || s[p.i] != '"') FAIL("invalid input: expected string field name in JSON object");
            Str name = parse_string(&p);
            skip_ws(&p);
            if (p.i >= p.n || s[p.i] != ':') FAIL("invalid input: expected ':' after field name");
            p.i++;
            skip_ws(&p);
            int is_key = bytes_eq(name.p, name.len, "key");
            int is_value = bytes_eq(name.p, name.len, "value");
            if (p.i >= p.n || s[p.i] != '"') {
                if (is_key) FAIL("invalid input: field \"key\" must be a string");
                if (is_value) FAIL("invalid input: field \"value\" must be a string");
                FAIL("invalid input: all fields must be JSON strings");
            }
            Str v = parse_string(&p);
            if (is_key) { a.key = v; a.has_key = 1; }         /* duplicates: last wins */
            else if (is_value) { a.value = v; a.has_value = 1; }
            skip_ws(&p);
            if (p.i < p.n && s[p.i] == ',') { p.i++; continue; }
            if (p.i < p.n && s[p.i] == '}') { p.i++; break; }
            FAIL("invalid input: expected ',' or '}' in JSON object");
        }
    }
    skip_ws(&p);
    if (p.i != p.n) FAIL("invalid input: trailing characters after JSON object");
    if (!a.has_key) FAIL(ERR_OBJ);
    return a;
}

/* ------------------------------------------------------------------------ */
/* JSON output                                                              */

static void json_str_into(Str *o, const u8 *s, usize n) {
    static const char hex[] = "0123456789abcdef";
    str_byte(o, '"');
    for (usize i = 0; i < n; i++) {
        u8 c = s[i];
        switch (c) {
        case '"':  str_lit(o, "\\\""); break;
        case '\\': str_lit(o, "\\\\"); break;
        case '\b': str_lit(o, "\\b"); break;
        case '\f': str_lit(o, "\\f"); break;
        case '\n': str_lit(o, "\\n"); break;
        case '\r': str_lit(o, "\\r"); break;
        case '\t': str_lit(o, "\\t"); break;
        default:
            if (c < 0x20) {
                str_lit(o, "\\u00"); str_byte(o, (u8)hex[c >> 4]); str_byte(o, (u8)hex[c & 15]);
            } else {
                str_byte(o, c);
            }
        }
    }
    str_byte(o, '"');
}

/* JSON string, or `null` when p == 0. */
static Str json_opt_str(const u8 *p, usize n) {
    Str o = str_alloc(n * 6 + 2);
    if (!p) str_lit(&o, "null");
    else json_str_into(&o, p, n);
    return o;
}

static Str json_u64(u64 v) {
    Str o = str_alloc(20);
    u8 tmp[20]; int k = 0;
    do { tmp[k++] = (u8)('0' + v % 10); v /= 10; } while (v);
    while (k) str_byte(&o, tmp[--k]);
    return o;
}

/* ------------------------------------------------------------------------ */
/* App state                                                                */

static const char K_INIT[] = "__kv_initialized";
static const char K_LEN[] = "__kv_len";

static Str data_key(Str key) {           /* "kv:" + key */
    Str k = str_alloc(3 + key.len);
    str_lit(&k, "kv:");
    str_put(&k, key.p, key.len);
    return k;
}

static u64 count_get(void) {
    usize n; u8 *p = st_get((const u8 *)K_LEN, sizeof(K_LEN) - 1, &n);
    u64 v = 0;
    if (p) for (usize i = 0; i < n; i++) if (p[i] >= '0' && p[i] <= '9') v = v * 10 + (p[i] - '0');
    return v;
}

static u64 count_add(int delta) {
    u64 v = count_get();
    if (delta < 0 && v == 0) return 0;
    v = delta < 0 ? v - 1 : v + 1;
    Str s = json_u64(v);
    usize ol;
    st_put((const u8 *)K_LEN, sizeof(K_LEN) - 1, s.p, s.len, &ol);
    return v;
}

static void log_op(const char *op, Str key) {
    usize oplen = cstrlen(op);
    usize n = key.len;
    if (oplen + 1 + n > MAX_LOG_BYTES) {                 /* stay within max_log_size */
        n = MAX_LOG_BYTES - oplen - 1;
        while (n && (key.p[n] & 0xC0) == 0x80) n--;      /* cut on a char boundary */
    }
    Str line = str_alloc(oplen + 1 + n);
    str_lit(&line, op); str_byte(&line, ' '); str_put(&line, key.p, n);
    log_bytes(line.p, line.len);
}

/* Shared body of `set` / `set_then_fail`: returns the JSON of the old value. */
static Str do_set(void) {
    Args a = parse_args();
    if (!a.has_value)
        FAIL("invalid input: expected JSON object with string fields \"key\" and \"value\"");
    if (a.key.len > MAX_EVENT_DATA)
        FAIL("invalid input: key longer than 16384 bytes (max event data size)");
    Str k = data_key(a.key);
    usize oldlen;
    u8 *old = st_put(k.p, k.len, a.value.p, a.value.len, &oldlen);
    Str prev = json_opt_str(old, oldlen);       /* encode before anything reuses reg 0 */
    u64 count = old ? count_get() : count_add(+1);
    emit_event(old ? "Updated" : "Inserted", a.key.p, a.key.len);
    log_op("set", a.key);
    do_commit("set", a.key.p, a.key.len, a.value.p, a.value.len, count);
    return prev;
}

/* ------------------------------------------------------------------------ */
/* Exported methods                                                         */

EXPORT(init) void init(void) {
    usize n;
    if (st_get((const u8 *)K_INIT, sizeof(K_INIT) - 1, &n)) FAIL("already initialized");
    usize ol;
    st_put((const u8 *)K_INIT, sizeof(K_INIT) - 1, (const u8 *)"1", 1, &ol);
    static const char msg[] = "kvstore initialized";
    log_bytes((const u8 *)msg, sizeof(msg) - 1);
    do_commit("init", 0, 0, 0, 0, count_get());
}

EXPORT(set) void set(void) {
    ret_ok(do_set());
}

EXPORT(set_then_fail) void set_then_fail(void) {
    do_set();
    Str e = str_alloc(16);
    str_lit(&e, "\"forced failure\"");
    ret_err(e);
}

EXPORT(get) void get(void) {
    Args a = parse_args();
    Str k = data_key(a.key);
    usize n; u8 *v = st_get(k.p, k.len, &n);
    ret_ok(json_opt_str(v, n));
}

EXPORT(get_or_err) void get_or_err(void) {
    Args a = parse_args();
    Str k = data_key(a.key);
    usize n; u8 *v = st_get(k.p, k.len, &n);
    if (v) { ret_ok(json_opt_str(v, n)); return; }
    Str e = str_alloc(a.key.len * 6 + 40);
    str_lit(&e, "{\"error\":\"key not found\",\"key\":");
    json_str_into(&e, a.key.p, a.key.len);
    str_byte(&e, '}');
    ret_err(e);
}

EXPORT(remove) void remove(void) {
    Args a = parse_args();
    Str k = data_key(a.key);
    usize n; u8 *old = st_del(k.p, k.len, &n);
    Str prev = json_opt_str(old, n);
    u64 count = old ? count_add(-1) : count_get();
    if (old) emit_event("Removed", a.key.p, a.key.len);
    log_op("remove", a.key);
    do_commit("remove", a.key.p, a.key.len, 0, 0, count);
    ret_ok(prev);
}

EXPORT(len) void len(void) {
    ret_ok(json_u64(count_get()));
}

/* noop: does nothing. The benchmarks measure instantiate + this call as the floor of a method call. */
EXPORT(noop) void noop(void) {}
