# fuzz_collector: libFuzzer target for the collector's payload parsers
# (tools/collector/payload.c). Included from tests/fuzz/CMakeLists.txt; only
# with SPARK_FUZZ (clang). Seeds live in tests/tools/collector/fuzz_seeds/;
# new inputs go to a build-dir corpus. Run longer by hand, e.g.
#   build-asan/bin/fuzz_collector -max_total_time=300 /tmp/corpus tests/tools/collector/fuzz_seeds
if(SPARK_FUZZ AND TARGET collector_payload)
  add_executable(fuzz_collector ${CMAKE_CURRENT_LIST_DIR}/fuzz_collector.c)
  target_compile_options(fuzz_collector PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_collector PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_collector PRIVATE collector_payload)

  set(FUZZ_COLLECTOR_WORK ${CMAKE_CURRENT_BINARY_DIR}/corpus-collector)
  file(MAKE_DIRECTORY ${FUZZ_COLLECTOR_WORK})
  add_test(NAME fuzz_collector_short
    COMMAND fuzz_collector -max_total_time=15 -timeout=10 -rss_limit_mb=2048 -max_len=9000
            -print_final_stats=1
            ${FUZZ_COLLECTOR_WORK} ${CMAKE_SOURCE_DIR}/tests/tools/collector/fuzz_seeds)
  set_tests_properties(fuzz_collector_short PROPERTIES TIMEOUT 120)
endif()
