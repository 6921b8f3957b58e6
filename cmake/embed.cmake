# embed.cmake — turns a text file into `extern const char SYMBOL[]` (cmake -P script).
# Inputs: IN (file to embed), OUT (the .cc to write), SYMBOL (C++ identifier).
file(READ "${IN}" content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "static_cast<char>(0x\\1)," bytes "${content}")
file(WRITE "${OUT}.tmp"
  "// Generated from ${IN}; do not edit.\nnamespace mlsysim {\nextern const char ${SYMBOL}[];\nconst char ${SYMBOL}[] = {${bytes}0x00};\n}  // namespace mlsysim\n")
file(RENAME "${OUT}.tmp" "${OUT}")
