"""Built-in host-function groups, one module per group (ABI.md §3).

==================  ====================================================================
module              functions
==================  ====================================================================
``system``          panic, panic_utf8, context_id, account_id, device_id, executor_id,
                    xcall_origin, input, value_return, emit_migration_witness
``registers``       register_len, read_register
``events``          log_utf8, emit, emit_with_handler, xcall
``storage``         storage_read, storage_write, storage_remove, storage_index_*
``private``         private_storage_read, private_storage_write, private_storage_remove
``state``           commit
``utility``         time_now, random_bytes, ed25519_verify, fetch
``governance``      send_proposal, approve_proposal (legacy)
``context``         context_create/delete/add_member/remove_member/is_member/members/resolve_alias
``blobs``           blob_create, blob_write, blob_close, blob_open, blob_read, blob_announce_to_context
==================  ====================================================================
"""
