# Power-loss sweep of a firmware update by sparkflash (tools/flash): cut at
# every flash program/erase, check that the old or the new firmware boots.
# Included from tests/powerloss/CMakeLists.txt; runs on the host board.
if(TARGET fw_proto_image AND TARGET board_host)
  add_executable(sweep_flash ${CMAKE_CURRENT_LIST_DIR}/sweep_flash.c)
  target_link_libraries(sweep_flash PRIVATE fw_proto_image fw_store board_host
                                            MbedTLS::mbedcrypto)
  add_test(NAME powerloss_flash COMMAND sweep_flash)
  set_tests_properties(powerloss_flash PROPERTIES TIMEOUT 300)
endif()

# The same property on the room board's flash code, through the real binary:
# sparkflash flash SIGKILLed at every pwrite/fdatasync of an update (strace
# fault injection), then verify, then flash again (kill_flash_room.sh).
# Not in a cross build: strace would see qemu's system calls, not sparkflash's.
if(TARGET sparkflash AND NOT CMAKE_CROSSCOMPILING)
  add_test(NAME powerloss_flash_room
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/kill_flash_room.sh ${SPARK_RUN_sparkflash})
  set_tests_properties(powerloss_flash_room PROPERTIES TIMEOUT 600)
endif()
