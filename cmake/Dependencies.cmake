# Every third-party library meabridge uses, all from Debian 12 packages
# (scripts/setup.sh installs them). One place, so the list cannot drift.
find_package(Threads REQUIRED)
find_package(PostgreSQL REQUIRED)
# Debian's Poco CMake files name the client libraries of its Data connectors as targets that
# Poco's own Find modules would define; define them here. Poco's MySQL connector links
# libmariadb itself, so its target needs nothing more.
if(NOT TARGET PostgreSQL::client)
  add_library(PostgreSQL::client INTERFACE IMPORTED)
  target_link_libraries(PostgreSQL::client INTERFACE PostgreSQL::PostgreSQL)
endif()
if(NOT TARGET MySQL::client)
  add_library(MySQL::client INTERFACE IMPORTED)
endif()
find_package(Poco 1.11 REQUIRED COMPONENTS Foundation Net Data DataSQLite DataPostgreSQL DataMySQL)
find_package(pugixml REQUIRED)
find_package(CURL REQUIRED)
# SHA-1 content hashes (core/hash.cc), SHA-256, HMAC and constant-time comparison (core/crypto.cc).
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
# Howard Hinnant's date library, reading the system's tz database (core/time_zone.cc).
find_package(date REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
# MariaDB Connector/C: the sql source's MySQL/MariaDB reader (harvest/sources/mariadb_cursor.cc).
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)
# RapidJSON is header-only; src/core/json.h is the only file that includes it.
find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)
if(MEABRIDGE_TESTS)
  find_package(GTest REQUIRED)
endif()
if(MEABRIDGE_BENCH)
  find_package(benchmark REQUIRED)
endif()
