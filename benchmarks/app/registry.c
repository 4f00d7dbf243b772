/*
 * registry.c - an app-shaped guest for the compile and cache benchmarks.
 *
 * Real SDK apps are Rust compiled through LLVM, and most of their size is generic code made concrete
 * once per type (borsh and JSON codecs, hashing, collections). This file has the same shape: one data
 * model of 50 record types (records.h) and, per type, a binary codec, a JSON codec, a hash, an equality,
 * validation and two exported methods that go through storage -- all stamped out by macros, the way
 * monomorphization stamps them out in Rust. Built by clang (LLVM, like rustc), see build.sh.
 *
 * Every method takes its arguments as JSON through `input` and uses the current descriptor ABI:
 *   put_<type>  {"id": "<64 hex>", "<field>": value, ...}  stores the record, returns its SHA-256 (hex)
 *   get_<type>  {"id": "<64 hex>"}                          returns the record as JSON, or panics
 */

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long i64;
typedef __SIZE_TYPE__ usize;
typedef __UINTPTR_TYPE__ uptr;

typedef struct { u64 ptr; u64 len; } Buffer;
typedef struct { u64 file_ptr; u64 file_len; u32 line; u32 column; } Location;
typedef struct { u64 tag; u64 ptr; u64 len; } ValueReturn;

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name), visibility("default")))

IMPORT(input)          void host_input(u64 reg);
IMPORT(register_len)   u64  host_register_len(u64 reg);
IMPORT(read_register)  u32  host_read_register(u64 reg, u64 bufmut);
IMPORT(value_return)   void host_value_return(u64 vr);
IMPORT(panic_utf8)     void host_panic_utf8(u64 msg, u64 loc);
IMPORT(storage_read)   u32  host_storage_read(u64 key, u64 reg);
IMPORT(storage_write)  u32  host_storage_write(u64 key, u64 val, u64 reg);

static inline u64 P(const void *p) { return (u64)(uptr)p; }

/* -- freestanding helpers ------------------------------------------------------------------------ */

static void mem_copy(void *dst, const void *src, usize n) {
    u8 *d = dst; const u8 *s = src;
    while (n--) *d++ = *s++;
}
static void mem_zero(void *dst, usize n) { u8 *d = dst; while (n--) *d++ = 0; }
static int mem_eq(const void *a, const void *b, usize n) {
    const u8 *x = a, *y = b;
    for (usize i = 0; i < n; i++) if (x[i] != y[i]) return 0;
    return 1;
}
static usize str_len(const char *s) { usize n = 0; while (s[n]) n++; return n; }

/* clang may still emit these for struct copies; the app provides them, as a Rust app's core does. */
void *memcpy(void *dst, const void *src, usize n) { mem_copy(dst, src, n); return dst; }
void *memset(void *dst, int c, usize n) { u8 *d = dst; while (n--) *d++ = (u8)c; return dst; }

static _Noreturn void fail(const char *msg, const char *file, u32 line) {
    Buffer m = { P(msg), str_len(msg) };
    Location loc = { P(file), str_len(file), line, 1 };
    host_panic_utf8(P(&m), P(&loc));
    __builtin_unreachable();
}
#define CHECK(cond, msg) do { if (!(cond)) fail(msg, __FILE__, __LINE__); } while (0)

/* Bump allocator: one method call lives in one fresh instance, so nothing is ever freed. */
static u8 heap[1 << 20];
static usize heap_used;
static void *alloc(usize n) {
    n = (n + 7) & ~(usize)7;
    CHECK(heap_used + n <= sizeof heap, "out of heap");
    void *p = heap + heap_used;
    heap_used += n;
    return p;
}

typedef struct { u8 *data; usize len, cap; } Vec;
static void vec_reserve(Vec *v, usize extra) {
    if (v->len + extra <= v->cap) return;
    usize cap = v->cap ? v->cap * 2 : 64;
    while (cap < v->len + extra) cap *= 2;
    u8 *data = alloc(cap);
    if (v->len) mem_copy(data, v->data, v->len);
    v->data = data;
    v->cap = cap;
}
static void vec_push(Vec *v, u8 b) { vec_reserve(v, 1); v->data[v->len++] = b; }
static void vec_extend(Vec *v, const void *src, usize n) { vec_reserve(v, n); mem_copy(v->data + v->len, src, n); v->len += n; }
static void vec_str(Vec *v, const char *s) { vec_extend(v, s, str_len(s)); }

/* -- SHA-256 --------------------------------------------------------------------------------------- */

static const u32 K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};
static inline u32 ror(u32 x, u32 n) { return (x >> n) | (x << (32 - n)); }
static void sha256_block(u32 h[8], const u8 *p) {
    u32 w[64];
    for (int i = 0; i < 16; i++) w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        u32 s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        u32 s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        u32 t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
        u32 t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}
static void sha256(const u8 *data, usize len, u8 out[32]) {
    u32 h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    usize i = 0;
    for (; i + 64 <= len; i += 64) sha256_block(h, data + i);
    u8 tail[128];
    mem_zero(tail, sizeof tail);
    usize rest = len - i;
    mem_copy(tail, data + i, rest);
    tail[rest] = 0x80;
    usize blocks = rest + 9 > 64 ? 2 : 1;
    u64 bits = (u64)len * 8;
    for (int j = 0; j < 8; j++) tail[blocks * 64 - 1 - j] = (u8)(bits >> (8 * j));
    for (usize j = 0; j < blocks; j++) sha256_block(h, tail + 64 * j);
    for (int j = 0; j < 8; j++) {
        out[4 * j] = (u8)(h[j] >> 24); out[4 * j + 1] = (u8)(h[j] >> 16);
        out[4 * j + 2] = (u8)(h[j] >> 8); out[4 * j + 3] = (u8)h[j];
    }
}

/* -- hex, JSON writing and scanning ------------------------------------------------------------------ */

static const char HEX[] = "0123456789abcdef";
static void hex_write(Vec *v, const u8 *b, usize n) {
    for (usize i = 0; i < n; i++) { vec_push(v, (u8)HEX[b[i] >> 4]); vec_push(v, (u8)HEX[b[i] & 15]); }
}
static int hex_val(u8 c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
static void json_u64(Vec *v, u64 x) {
    char tmp[20]; int n = 0;
    do { tmp[n++] = (char)('0' + x % 10); x /= 10; } while (x);
    while (n) vec_push(v, (u8)tmp[--n]);
}
static void json_i64(Vec *v, i64 x) {
    if (x < 0) { vec_push(v, '-'); json_u64(v, (u64)0 - (u64)x); } else json_u64(v, (u64)x);
}
static void json_string(Vec *v, const u8 *s, usize n) {
    vec_push(v, '"');
    for (usize i = 0; i < n; i++) {
        u8 c = s[i];
        if (c == '"' || c == '\\') { vec_push(v, '\\'); vec_push(v, c); }
        else if (c < 0x20) { vec_str(v, "\\u00"); vec_push(v, (u8)HEX[c >> 4]); vec_push(v, (u8)HEX[c & 15]); }
        else vec_push(v, c);
    }
    vec_push(v, '"');
}
static void json_key(Vec *v, const char *key, int first) {
    if (!first) vec_push(v, ',');
    json_string(v, (const u8 *)key, str_len(key));
    vec_push(v, ':');
}

typedef struct { const u8 *p; usize len; } Slice;

static usize skip_ws(Slice in, usize i) {
    while (i < in.len && (in.p[i] == ' ' || in.p[i] == '\n' || in.p[i] == '\t' || in.p[i] == '\r')) i++;
    return i;
}
/* End of the JSON string starting at i (an opening quote), past the closing quote. */
static usize skip_string(Slice in, usize i) {
    for (i++; i < in.len; i++) {
        if (in.p[i] == '\\') i++;
        else if (in.p[i] == '"') return i + 1;
    }
    fail("unterminated string", __FILE__, __LINE__);
}
static usize skip_value(Slice in, usize i) {
    i = skip_ws(in, i);
    CHECK(i < in.len, "value expected");
    if (in.p[i] == '"') return skip_string(in, i);
    if (in.p[i] == '{' || in.p[i] == '[') {
        int depth = 0;
        for (; i < in.len; i++) {
            u8 c = in.p[i];
            if (c == '"') { i = skip_string(in, i) - 1; continue; }
            if (c == '{' || c == '[') depth++;
            if (c == '}' || c == ']') { if (--depth == 0) return i + 1; }
        }
        fail("unbalanced JSON", __FILE__, __LINE__);
    }
    while (i < in.len && in.p[i] != ',' && in.p[i] != '}' && in.p[i] != ']') i++;
    return i;
}
/* The raw value of `key` in a top-level object, or {0, 0}. */
static Slice json_find(Slice in, const char *key) {
    usize klen = str_len(key), i = skip_ws(in, 0);
    CHECK(i < in.len && in.p[i] == '{', "object expected");
    i++;
    for (;;) {
        i = skip_ws(in, i);
        if (i >= in.len || in.p[i] == '}') return (Slice){ 0, 0 };
        CHECK(in.p[i] == '"', "key expected");
        usize end = skip_string(in, i);
        int match = end - i - 2 == klen && mem_eq(in.p + i + 1, key, klen);
        i = skip_ws(in, end);
        CHECK(i < in.len && in.p[i] == ':', "colon expected");
        usize start = skip_ws(in, i + 1);
        i = skip_value(in, start);
        if (match) return (Slice){ in.p + start, i - start };
        i = skip_ws(in, i);
        if (i < in.len && in.p[i] == ',') i++;
    }
}
static u64 parse_u64(Slice s, u64 max) {
    CHECK(s.len > 0, "number expected");
    u64 x = 0;
    for (usize i = 0; i < s.len; i++) {
        CHECK(s.p[i] >= '0' && s.p[i] <= '9', "digit expected");
        CHECK(x <= (max - (s.p[i] - '0')) / 10, "number out of range");
        x = x * 10 + (s.p[i] - '0');
    }
    return x;
}
static i64 parse_i64(Slice s) {
    if (s.len && s.p[0] == '-') {
        u64 m = parse_u64((Slice){ s.p + 1, s.len - 1 }, (u64)1 << 63);
        return (i64)((u64)0 - m);
    }
    return (i64)parse_u64(s, ((u64)1 << 63) - 1);
}
static Slice parse_string(Slice s) {
    CHECK(s.len >= 2 && s.p[0] == '"' && s.p[s.len - 1] == '"', "string expected");
    for (usize i = 1; i + 1 < s.len; i++) CHECK(s.p[i] != '\\', "escapes are not supported");
    return (Slice){ s.p + 1, s.len - 2 };
}
static void parse_hex32(Slice s, u8 out[32]) {
    Slice h = parse_string(s);
    CHECK(h.len == 64, "64 hex digits expected");
    for (int i = 0; i < 32; i++) {
        int hi = hex_val(h.p[2 * i]), lo = hex_val(h.p[2 * i + 1]);
        CHECK(hi >= 0 && lo >= 0, "hex digit expected");
        out[i] = (u8)(hi << 4 | lo);
    }
}

/* -- borsh-style binary codec ------------------------------------------------------------------------ */

static void put_le(Vec *v, u64 x, int n) { for (int i = 0; i < n; i++) vec_push(v, (u8)(x >> (8 * i))); }
static u64 get_le(Slice *in, int n) {
    CHECK(in->len >= (usize)n, "record truncated");
    u64 x = 0;
    for (int i = 0; i < n; i++) x |= (u64)in->p[i] << (8 * i);
    in->p += n; in->len -= n;
    return x;
}

/* -- host I/O ---------------------------------------------------------------------------------------- */

static Slice read_reg(u64 reg) {
    u64 len = host_register_len(reg);
    u8 *buf = alloc(len ? len : 1);
    Buffer b = { P(buf), len };
    CHECK(host_read_register(reg, P(&b)) == 1, "register missing");
    return (Slice){ buf, len };
}
static Slice input(void) { host_input(0); return read_reg(0); }
static void ret(Vec *v) {
    ValueReturn r = { 0, P(v->data), v->len };
    host_value_return(P(&r));
}
static void store_key(Vec *key, const char *type, const u8 id[32]) {
    vec_str(key, type); vec_push(key, '/'); vec_extend(key, id, 32);
}

/* -- field types: how each is held, encoded, decoded, written and read as JSON, hashed, checked ------- */

typedef struct { u8 *p; u32 len; } Str;
typedef struct { u8 b[32]; } B32;

#define T_U8 u8
#define T_U32 u32
#define T_U64 u64
#define T_I64 i64
#define T_STR Str
#define T_B32 B32

#define ENC_U8(v, x) put_le(v, x, 1)
#define ENC_U32(v, x) put_le(v, x, 4)
#define ENC_U64(v, x) put_le(v, x, 8)
#define ENC_I64(v, x) put_le(v, (u64)(x), 8)
#define ENC_STR(v, x) (put_le(v, (x).len, 4), vec_extend(v, (x).p, (x).len))
#define ENC_B32(v, x) vec_extend(v, (x).b, 32)

#define DEC_U8(in, x) ((x) = (u8)get_le(in, 1))
#define DEC_U32(in, x) ((x) = (u32)get_le(in, 4))
#define DEC_U64(in, x) ((x) = get_le(in, 8))
#define DEC_I64(in, x) ((x) = (i64)get_le(in, 8))
#define DEC_STR(in, x) do { (x).len = (u32)get_le(in, 4); CHECK((in)->len >= (x).len, "string truncated"); \
    (x).p = alloc((x).len + 1); mem_copy((x).p, (in)->p, (x).len); (in)->p += (x).len; (in)->len -= (x).len; } while (0)
#define DEC_B32(in, x) do { CHECK((in)->len >= 32, "id truncated"); mem_copy((x).b, (in)->p, 32); (in)->p += 32; (in)->len -= 32; } while (0)

#define JW_U8(v, x) json_u64(v, x)
#define JW_U32(v, x) json_u64(v, x)
#define JW_U64(v, x) json_u64(v, x)
#define JW_I64(v, x) json_i64(v, x)
#define JW_STR(v, x) json_string(v, (x).p, (x).len)
#define JW_B32(v, x) (vec_push(v, '"'), hex_write(v, (x).b, 32), vec_push(v, '"'))

#define JR_U8(s, x) ((x) = (u8)parse_u64(s, 0xff))
#define JR_U32(s, x) ((x) = (u32)parse_u64(s, 0xffffffffu))
#define JR_U64(s, x) ((x) = parse_u64(s, ~(u64)0))
#define JR_I64(s, x) ((x) = parse_i64(s))
#define JR_STR(s, x) do { Slice t_ = parse_string(s); (x).p = (u8 *)t_.p; (x).len = (u32)t_.len; } while (0)
#define JR_B32(s, x) parse_hex32(s, (x).b)

#define EQ_U8(x, y) ((x) == (y))
#define EQ_U32(x, y) ((x) == (y))
#define EQ_U64(x, y) ((x) == (y))
#define EQ_I64(x, y) ((x) == (y))
#define EQ_STR(x, y) ((x).len == (y).len && mem_eq((x).p, (y).p, (x).len))
#define EQ_B32(x, y) mem_eq((x).b, (y).b, 32)

#define OK_U8(x) 1
#define OK_U32(x) 1
#define OK_U64(x) 1
#define OK_I64(x) ((x) != (i64)((u64)1 << 63))
#define OK_STR(x) ((x).len <= 4096)
#define OK_B32(x) 1

/* -- one record type: every function a Rust derive would generate for it ------------------------------ */

#define FIELD_DECL(T, name) T_##T name;
#define FIELD_ENC(T, name) ENC_##T(out, r->name);
#define FIELD_DEC(T, name) DEC_##T(&in, r->name);
#define FIELD_JW(T, name) json_key(out, #name, first); first = 0; JW_##T(out, r->name);
#define FIELD_JR(T, name) { Slice s_ = json_find(in, #name); CHECK(s_.p, "missing field " #name); JR_##T(s_, r->name); }
#define FIELD_EQ(T, name) if (!EQ_##T(a->name, b->name)) return 0;
#define FIELD_OK(T, name) CHECK(OK_##T(r->name), "invalid field " #name);

#define RECORD(type, FIELDS)                                                                              \
    typedef struct { FIELDS(FIELD_DECL) } type##_t;                                                       \
    static __attribute__((noinline)) void type##_encode(const type##_t *r, Vec *out) { FIELDS(FIELD_ENC) } \
    static __attribute__((noinline)) void type##_decode(type##_t *r, Slice in) {                           \
        FIELDS(FIELD_DEC) CHECK(in.len == 0, "trailing bytes in " #type);                                  \
    }                                                                                                     \
    static __attribute__((noinline)) void type##_to_json(const type##_t *r, Vec *out) {                    \
        int first = 1; vec_push(out, '{'); FIELDS(FIELD_JW) vec_push(out, '}'); (void)first;               \
    }                                                                                                     \
    static __attribute__((noinline)) void type##_from_json(type##_t *r, Slice in) { FIELDS(FIELD_JR) }     \
    static __attribute__((noinline)) int type##_equal(const type##_t *a, const type##_t *b) {              \
        FIELDS(FIELD_EQ) return 1;                                                                        \
    }                                                                                                     \
    static __attribute__((noinline)) void type##_validate(const type##_t *r) { (void)r; FIELDS(FIELD_OK) }      \
    EXPORT(put_##type) void put_##type(void) {                                                            \
        type##_t r; mem_zero(&r, sizeof r);                                                               \
        type##_from_json(&r, input());                                                                    \
        type##_validate(&r);                                                                              \
        Vec bin = { 0, 0, 0 }, key = { 0, 0, 0 }, out = { 0, 0, 0 };                                      \
        type##_encode(&r, &bin);                                                                          \
        type##_t back; mem_zero(&back, sizeof back);                                                      \
        type##_decode(&back, (Slice){ bin.data, bin.len });                                               \
        CHECK(type##_equal(&r, &back), "codec round trip failed for " #type);                             \
        store_key(&key, #type, r.id.b);                                                                   \
        Buffer k = { P(key.data), key.len }, v = { P(bin.data), bin.len };                                \
        host_storage_write(P(&k), P(&v), 1);                                                              \
        u8 digest[32]; sha256(bin.data, bin.len, digest);                                                 \
        vec_push(&out, '"'); hex_write(&out, digest, 32); vec_push(&out, '"');                            \
        ret(&out);                                                                                        \
    }                                                                                                     \
    EXPORT(get_##type) void get_##type(void) {                                                            \
        u8 id[32]; Slice s = json_find(input(), "id"); CHECK(s.p, "missing field id"); parse_hex32(s, id); \
        Vec key = { 0, 0, 0 }, out = { 0, 0, 0 };                                                         \
        store_key(&key, #type, id);                                                                       \
        Buffer k = { P(key.data), key.len };                                                              \
        CHECK(host_storage_read(P(&k), 2) == 1, #type " not found");                                      \
        type##_t r; mem_zero(&r, sizeof r);                                                               \
        type##_decode(&r, read_reg(2));                                                                   \
        type##_to_json(&r, &out);                                                                         \
        ret(&out);                                                                                        \
    }

#include "records.h"
