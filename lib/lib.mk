# libkipc: filled in by the library issue.
LIBKIPC_A :=
