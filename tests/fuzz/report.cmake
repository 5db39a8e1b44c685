# fuzz_report: report/codec.h parsers (included from tests/fuzz/CMakeLists.txt).
#   build-asan/bin/fuzz_report -max_total_time=300 /tmp/corpus tests/fuzz/corpus/report
if(SPARK_FUZZ AND TARGET fw_report_codec)
  spark_fuzz(fuzz_report SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_report.c SECONDS 15
             SEEDS ${CMAKE_CURRENT_LIST_DIR}/corpus/report LIBS fw_report_codec)
endif()
