# fuzz_support: the room's support port (issue 12) on arbitrary bytes: CoAP
# messages through the adapter's reading and the policy, and state documents
# through trialctl's reader (included from tests/fuzz/CMakeLists.txt).
#   build-asan/bin/fuzz_support -max_total_time=300 /tmp/corpus tests/fuzz/corpus/support
if(SPARK_FUZZ AND TARGET fw_link)
  spark_fuzz(fuzz_support SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_support.c SECONDS 10
             SEEDS ${CMAKE_CURRENT_LIST_DIR}/corpus/support LIBS fw_link fw_proto_wire fakes
             ARGS -max_len=4096)
endif()
