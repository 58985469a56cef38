"""The `kbgen` command: main, shared options, one module per group of verbs."""
