# How a test script or help2man runs one of our programs. Natively that is
# the program itself. In a cross build (the aarch64 preset) CTest wraps only
# add_test(COMMAND <target>) in CMAKE_CROSSCOMPILING_EMULATOR; scripts and
# tests that popen() a program get a wrapper instead: bin-emu/<name>, a shell
# script that execs the target binary under the emulator (qemu-aarch64).
# binfmt_misc cannot be relied on (CI machines do not mount it).
#   ${SPARK_RUN_<program>}  what to run for <program>
#   ${SPARK_TEST_BIN_DIR}    a directory holding every program under its name
set(SPARK_TEST_PROGRAMS spark-agent spark-agent-room sparkflash spark-collector spark-licence
                        spark-screens trialctl)
if(CMAKE_CROSSCOMPILING)
  if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
    message(FATAL_ERROR
      "cross build without an emulator: install qemu-user (scripts/deps.sh)")
  endif()
  set(SPARK_TEST_BIN_DIR ${CMAKE_BINARY_DIR}/bin-emu)
else()
  set(SPARK_TEST_BIN_DIR ${CMAKE_RUNTIME_OUTPUT_DIRECTORY})
endif()
# spark_test_program(target): bin-emu/<target> for a program defined later
# (a test's helper); the programs above get theirs here.
function(spark_test_program t)
  if(CMAKE_CROSSCOMPILING)
    file(GENERATE OUTPUT ${SPARK_TEST_BIN_DIR}/${t}
      CONTENT "#!/bin/sh\n# ${t} (${CMAKE_SYSTEM_PROCESSOR}) under ${CMAKE_CROSSCOMPILING_EMULATOR}\nexec ${CMAKE_CROSSCOMPILING_EMULATOR} $<TARGET_FILE:${t}> \"$@\"\n"
      FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                       WORLD_READ WORLD_EXECUTE)
  endif()
endfunction()
foreach(t ${SPARK_TEST_PROGRAMS})
  if(TARGET ${t})
    spark_test_program(${t})
  endif()
endforeach()

# SPARK_RUN_<program>: what a test runs for <program> (spark-agent, ...).
foreach(t ${SPARK_TEST_PROGRAMS})
  if(CMAKE_CROSSCOMPILING)
    set(SPARK_RUN_${t} ${SPARK_TEST_BIN_DIR}/${t})
  else()
    set(SPARK_RUN_${t} $<TARGET_FILE:${t}>)
  endif()
endforeach()

