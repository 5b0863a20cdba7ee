# Finds every dependency; a missing one stops CMake with the Debian package to
# install (scripts/install-deps installs them all).
include(FindPkgConfig)

function(kpw_missing what package)
  message(FATAL_ERROR "${what} not found. Install the Debian package '${package}' "
                      "(or run scripts/install-deps, which installs everything).")
endfunction()

find_package(Qt6 6.4 QUIET COMPONENTS Core Network Concurrent Test)
if(NOT Qt6_FOUND)
  kpw_missing("Qt 6 (Core, Network, Concurrent, Test)" "qt6-base-dev")
endif()
if(KPW_BUILD_GUI AND NOT KPW_FUZZ)
  find_package(Qt6 6.4 QUIET COMPONENTS Widgets)
  if(NOT Qt6Widgets_FOUND)
    kpw_missing("Qt 6 Widgets" "qt6-base-dev")
  endif()
  # Debian's QScintilla for Qt 6 ships no CMake package: find it by hand.
  get_target_property(_qt_core_inc Qt6::Core INTERFACE_INCLUDE_DIRECTORIES)
  find_path(QSCINTILLA_INCLUDE_DIR Qsci/qsciscintilla.h
            HINTS ${_qt_core_inc} /usr/include/x86_64-linux-gnu/qt6 /usr/include/qt6
            PATH_SUFFIXES .. )
  find_library(QSCINTILLA_LIBRARY NAMES qscintilla2_qt6)
  if(NOT QSCINTILLA_INCLUDE_DIR OR NOT QSCINTILLA_LIBRARY)
    kpw_missing("QScintilla for Qt 6" "libqscintilla2-qt6-dev")
  endif()
  add_library(QScintilla::QScintilla UNKNOWN IMPORTED)
  set_target_properties(QScintilla::QScintilla PROPERTIES
    IMPORTED_LOCATION "${QSCINTILLA_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${QSCINTILLA_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS QSCINTILLA_DLL
    INTERFACE_LINK_LIBRARIES "Qt6::Widgets")
endif()

find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  kpw_missing("zlib" "zlib1g-dev")
endif()
find_package(Snappy CONFIG QUIET)
if(NOT Snappy_FOUND)
  kpw_missing("snappy" "libsnappy-dev")
endif()
find_package(zstd CONFIG QUIET)
if(NOT zstd_FOUND)
  kpw_missing("zstd" "libzstd-dev")
endif()
pkg_check_modules(LZ4 QUIET IMPORTED_TARGET liblz4)
if(NOT LZ4_FOUND)
  kpw_missing("lz4" "liblz4-dev")
endif()
find_package(OpenSSL 3 QUIET)
if(NOT OpenSSL_FOUND)
  kpw_missing("OpenSSL 3" "libssl-dev")
endif()
if(KPW_BUILD_TESTS OR KPW_FUZZ)
  pkg_check_modules(RDKAFKA QUIET IMPORTED_TARGET rdkafka)
  if(NOT RDKAFKA_FOUND)
    kpw_missing("librdkafka (the tests' independent consumer)" "librdkafka-dev")
  endif()
endif()

# Serializers (core/serde): Avro C for Avro's binary encoding, protobuf's
# compiler library for .proto files at run time, valijson (header-only) on
# nlohmann's JSON for JSON Schema.
pkg_check_modules(AVRO QUIET IMPORTED_TARGET avro-c)
if(NOT AVRO_FOUND)
  kpw_missing("Avro C" "libavro-dev")
endif()
find_package(Protobuf MODULE QUIET)
if(NOT Protobuf_FOUND OR NOT TARGET protobuf::libprotoc)
  kpw_missing("protobuf and its compiler library" "libprotoc-dev")
endif()
find_package(nlohmann_json 3 CONFIG QUIET)
if(NOT nlohmann_json_FOUND)
  kpw_missing("nlohmann JSON" "nlohmann-json3-dev")
endif()
find_path(VALIJSON_INCLUDE_DIR valijson/validator.hpp)
if(NOT VALIJSON_INCLUDE_DIR)
  kpw_missing("valijson" "libvalijson-dev")
endif()
