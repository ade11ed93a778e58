# Debian's hardening flags, from dpkg-buildflags (with hardening=+all: bindnow too), for the
# build the package is made of (scripts/build.sh package turns this on; lintian's
# hardening-no-bindnow and hardening-no-fortify-functions check the result). Taken: the
# preprocessor flags (-D_FORTIFY_SOURCE=2), the compiler's protection and format flags, the
# linker's (-z relro -z now). Left to the build type: -g and -O (fortify needs -O1 or more,
# which the package flavour's Release has); left out: -ffile-prefix-map, which names the
# build folder and would keep one worktree's ccache entries from another's.
option(MEABRIDGE_DPKG_BUILDFLAGS "Compile and link with Debian's dpkg-buildflags hardening" OFF)
if(MEABRIDGE_DPKG_BUILDFLAGS)
  find_program(DPKG_BUILDFLAGS dpkg-buildflags REQUIRED)
  foreach(kind CPPFLAGS CXXFLAGS LDFLAGS)
    execute_process(
      COMMAND ${CMAKE_COMMAND} -E env DEB_BUILD_MAINT_OPTIONS=hardening=+all
              ${DPKG_BUILDFLAGS} --get ${kind}
      OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
    separate_arguments(flags UNIX_COMMAND "${flags}")
    list(FILTER flags EXCLUDE REGEX "^(-g.*|-O.*|-ffile-prefix-map=.*)$")
    set(MEABRIDGE_DPKG_${kind} ${flags})
  endforeach()
  add_compile_options(${MEABRIDGE_DPKG_CPPFLAGS} ${MEABRIDGE_DPKG_CXXFLAGS})
  add_link_options(${MEABRIDGE_DPKG_LDFLAGS})
  message(STATUS "dpkg-buildflags: ${MEABRIDGE_DPKG_CPPFLAGS} ${MEABRIDGE_DPKG_CXXFLAGS} "
                 "${MEABRIDGE_DPKG_LDFLAGS}")
endif()
