"""Built-in storage backends: ``memory`` and ``rocksdb``."""
