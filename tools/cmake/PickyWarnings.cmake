# PickyWarnings.cmake — the warning set every target of the project builds with.
set(MC_PICKY_WARNINGS
  -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion -Wmissing-prototypes
  -Wstrict-prototypes -Wwrite-strings -Wpointer-arith -Wcast-align
  -Wformat=2 -Wundef -Wnull-dereference -Wold-style-definition
  -Wno-unused-parameter
  # snprintf into a fixed buffer truncates on purpose (messages, labels);
  # at -O2 GCC flags every such call.
  -Wno-format-truncation)
