# fuzz_report: report/codec.h parsers (included from tests/fuzz/CMakeLists.txt
# inside its SPARK_FUZZ block or on its own; it checks SPARK_FUZZ itself).
#   build-asan/bin/fuzz_report -max_total_time=300 /tmp/corpus tests/fuzz/corpus/report
if(SPARK_FUZZ AND TARGET fw_report_codec)
  add_executable(fuzz_report ${CMAKE_CURRENT_LIST_DIR}/fuzz_report.c)
  target_compile_options(fuzz_report PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_report PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_report PRIVATE fw_report_codec)

  set(FUZZ_REPORT_WORK ${CMAKE_CURRENT_BINARY_DIR}/corpus-report)
  file(MAKE_DIRECTORY ${FUZZ_REPORT_WORK})
  add_test(NAME fuzz_report_short
    COMMAND fuzz_report -max_total_time=15 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
            ${FUZZ_REPORT_WORK} ${CMAKE_CURRENT_LIST_DIR}/corpus/report)
  set_tests_properties(fuzz_report_short PROPERTIES TIMEOUT 60)
endif()
