# Fails if any C file under firmware/, hal/, boards/, tools/ or tests/ differs
# from what clang-format (the repository's .clang-format) would make of it.
file(GLOB_RECURSE sources
  ${ROOT}/firmware/*.[ch] ${ROOT}/hal/*.[ch] ${ROOT}/boards/*.[ch]
  ${ROOT}/tools/*.[ch] ${ROOT}/tests/*.[ch] ${ROOT}/bench/*.[ch])
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${sources}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format: files need formatting (run clang-format -i):\n${err}")
endif()
