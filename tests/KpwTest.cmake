# kpw_add_test(NAME name SOURCES src... [LIBS lib...] [BROKER] [TIMEOUT seconds] [LABELS label...]
#              [WRAPPER script])
#
# One Qt Test executable per test, registered with CTest. Every test links
# kpw_core, Qt6::Test and the shared compile settings, and runs with
# QT_QPA_PLATFORM=offscreen. BROKER marks a test that needs the real Kafka
# broker: it requires the "kafka" fixture (tests/kafka) and finds the broker
# through KPW_TEST_BOOTSTRAP_FILE (or KPW_TEST_BOOTSTRAP, which wins).
# WRAPPER runs the test through a script (e.g. tests/keychain/with-keychain).
function(kpw_add_test)
  cmake_parse_arguments(ARG "BROKER" "NAME;TIMEOUT;WRAPPER" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "kpw_add_test: NAME and SOURCES are required")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()

  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE kpw_settings kpw_core Qt6::Core Qt6::Test ${ARG_LIBS})
  target_include_directories(${ARG_NAME} PRIVATE ${KPW_TESTS_SOURCE_DIR}/support)
  if(KPW_TSAN)
    # librdkafka's C11 threads made visible to ThreadSanitizer (tests/support/TsanC11Threads.cpp).
    target_link_libraries(${ARG_NAME} PRIVATE kpw_tsan_c11threads)
  endif()
  if(ARG_BROKER)
    target_link_libraries(${ARG_NAME} PRIVATE kpw_testsupport)
  endif()

  add_test(NAME ${ARG_NAME} COMMAND ${ARG_WRAPPER} $<TARGET_FILE:${ARG_NAME}>)
  # No stack dump on a crash: Qt Test's handler can deadlock in fork() and
  # turn a crash into a hang until the ctest timeout.
  set(_env "QT_QPA_PLATFORM=offscreen;QTEST_DISABLE_STACK_DUMP=1")
  set(_labels ${ARG_LABELS})
  if(ARG_BROKER)
    if(NOT KPW_KAFKA_DIR)
      message(WARNING "kpw_add_test(${ARG_NAME} BROKER): KPW_KAFKA_DIR is not set (tests/kafka missing?); "
                      "the test will fail unless KPW_TEST_BOOTSTRAP names a broker")
    endif()
    list(APPEND _env "KPW_TEST_BOOTSTRAP_FILE=${KPW_KAFKA_DIR}/bootstrap")
    list(APPEND _labels broker)
    set_tests_properties(${ARG_NAME} PROPERTIES FIXTURES_REQUIRED kafka)
  endif()
  set_tests_properties(${ARG_NAME} PROPERTIES
    ENVIRONMENT "${_env}"
    TIMEOUT ${ARG_TIMEOUT})
  if(_labels)
    set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${_labels}")
  endif()
endfunction()
