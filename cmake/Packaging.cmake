# Install layout and the Debian package (docs/installing.md). With --prefix /usr:
#
#   /usr/bin/meabridge
#   /usr/share/meabridge/{mappings,demo,config}/   what config::DataDir() finds beside bin/
#   /etc/meabridge/meabridge.xml                   the service's configuration (a conffile)
#   /usr/lib/systemd/system/meabridge.service, meabridge-export@.service, meabridge-export@.timer
#   /usr/lib/sysusers.d/meabridge.conf, /usr/lib/tmpfiles.d/meabridge.conf
#   /usr/share/doc/meabridge/                      README and docs/*.md
#
# `cpack -G DEB` in a build folder builds meabridge_VERSION_ARCH.deb from the same rules.
include(GNUInstallDirs)

# `cmake --install` and cpack install what is built; they do not build `all` first (the
# packaging test runs cpack in a build whose tests are built already).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(MEABRIDGE_SHARE ${CMAKE_INSTALL_DATADIR}/meabridge)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/mappings DESTINATION ${MEABRIDGE_SHARE})
# The demo data of the embedded default configuration, when the tree has it.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/demo DESTINATION ${MEABRIDGE_SHARE} OPTIONAL)
install(FILES ${PROJECT_SOURCE_DIR}/config/example.xml ${PROJECT_SOURCE_DIR}/config/default.xml
        DESTINATION ${MEABRIDGE_SHARE}/config)
# The service's configuration: /etc/meabridge under the /usr prefix (as GNUInstallDirs maps it),
# PREFIX/etc/meabridge otherwise. Decided at install time, so `cmake --install --prefix` and
# cpack's /usr both get it right; file(INSTALL) honours DESTDIR.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(meabridge_etc /etc/meabridge)
  else()
    set(meabridge_etc \${CMAKE_INSTALL_PREFIX}/etc/meabridge)
  endif()
  file(INSTALL DESTINATION \${meabridge_etc} TYPE FILE
       FILES \"${PROJECT_SOURCE_DIR}/packaging/meabridge.xml\")
")
install(FILES ${PROJECT_SOURCE_DIR}/systemd/meabridge.service
              ${PROJECT_SOURCE_DIR}/systemd/meabridge-export@.service
              ${PROJECT_SOURCE_DIR}/systemd/meabridge-export@.timer
        DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/sysusers.d/meabridge.conf DESTINATION lib/sysusers.d)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/tmpfiles.d/meabridge.conf DESTINATION lib/tmpfiles.d)
file(GLOB MEABRIDGE_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${MEABRIDGE_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME meabridge)
set(CPACK_PACKAGE_VENDOR "meabridge")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "meabridge harvests national focal points, ratification status, decisions and meetings from "
    "a secretariat's own systems and from partner feeds, maps them into the shared InforMEA "
    "model, stores them (SQLite or PostgreSQL) and publishes them as OData V4, the InforMEA "
    "OData V2 dialect, Atom, JSON-LD and CSV. Runs as meabridge.service (Type=notify, "
    "sandboxed); meabridge-export@.timer schedules exports.")
set(CPACK_PACKAGE_CONTACT "meabridge maintainers <meabridge@example.org>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Read at run time: the countries and languages (vocab/), the service user's tools.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "iso-codes, systemd | adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/conffiles
                                       ${PROJECT_SOURCE_DIR}/packaging/postinst
                                       ${PROJECT_SOURCE_DIR}/packaging/prerm
                                       ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
