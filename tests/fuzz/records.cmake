# fuzz_records: the provisioning and enrollment records, the firmware image
# header and the boot record (proto), with a write-back round trip.
#   build-asan/bin/fuzz_records -max_total_time=300 /tmp/corpus tests/fuzz/corpus/records
if(SPARK_FUZZ AND TARGET fw_proto_image)
  spark_fuzz(fuzz_records SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_records.c SECONDS 10
             SEEDS ${CMAKE_CURRENT_LIST_DIR}/corpus/records LIBS fw_proto_image fakes)
endif()
