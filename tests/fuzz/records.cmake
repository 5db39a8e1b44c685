# fuzz_records: the provisioning and enrollment records, the firmware image
# header and the boot record (proto), with a write-back round trip.
#   build-asan/bin/fuzz_records -max_total_time=300 /tmp/corpus tests/fuzz/corpus/records
if(SPARK_FUZZ AND TARGET fw_proto_image)
  add_executable(fuzz_records ${CMAKE_CURRENT_LIST_DIR}/fuzz_records.c)
  target_compile_options(fuzz_records PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_records PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_records PRIVATE fw_proto_image fakes)

  set(FUZZ_RECORDS_WORK ${CMAKE_CURRENT_BINARY_DIR}/corpus-records)
  file(MAKE_DIRECTORY ${FUZZ_RECORDS_WORK})
  add_test(NAME fuzz_records_short
    COMMAND fuzz_records -max_total_time=10 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
            ${FUZZ_RECORDS_WORK} ${CMAKE_CURRENT_LIST_DIR}/corpus/records)
  set_tests_properties(fuzz_records_short PROPERTIES TIMEOUT 60)
endif()
