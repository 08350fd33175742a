# Installed layout (FHS, relative to the prefix) and the Debian package.
#   bin/fwc                                   share/man/man1/fwc.1.gz, man5/fwc-policy.5.gz
#   share/bash-completion/completions/fwc     share/zsh/vendor-completions/_fwc
#   share/fwc/fwc-policy.schema.json          lib/systemd/system/fwc-*.{service,timer}
#   share/doc/fwc/{copyright,changelog.Debian.gz,contract.md}
#   share/lintian/overrides/fwc               /etc/default/fwc (PREFIX/etc/default/fwc
#                                             unless the prefix is /usr)

# Manual pages compressed as Debian ships them (-n: no name or timestamp,
# so the package is reproducible).
set(FWC_MAN_BUILD ${CMAKE_BINARY_DIR}/man)
foreach(page man1/fwc.1 man5/fwc-policy.5 doc/changelog.Debian)
  get_filename_component(name ${page} NAME)
  get_filename_component(section ${page} DIRECTORY)
  if(section STREQUAL "doc")
    set(source ${PROJECT_SOURCE_DIR}/packaging/debian/changelog)
  else()
    set(source ${PROJECT_SOURCE_DIR}/man/${name})
  endif()
  add_custom_command(
    OUTPUT ${FWC_MAN_BUILD}/${name}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${FWC_MAN_BUILD}
    COMMAND sh -c "gzip -9n -c \"$1\" > \"$2\"" sh ${source} ${FWC_MAN_BUILD}/${name}.gz
    DEPENDS ${source}
    VERBATIM)
  list(APPEND FWC_GZIPPED ${FWC_MAN_BUILD}/${name}.gz)
endforeach()
add_custom_target(fwc_gzipped ALL DEPENDS ${FWC_GZIPPED})
install(FILES ${FWC_MAN_BUILD}/fwc.1.gz DESTINATION share/man/man1)
install(FILES ${FWC_MAN_BUILD}/fwc-policy.5.gz DESTINATION share/man/man5)
install(FILES ${FWC_MAN_BUILD}/changelog.Debian.gz packaging/debian/copyright docs/contract.md
        DESTINATION share/doc/fwc)
install(FILES packaging/debian/lintian-overrides DESTINATION share/lintian/overrides RENAME fwc)
# /etc/default/fwc: where /etc is for the prefix (GNU rule: /usr → /etc),
# known only at install time; file(INSTALL) honours DESTDIR.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(FWC_ETC /etc)
  else()
    set(FWC_ETC \"\${CMAKE_INSTALL_PREFIX}/etc\")
  endif()
  file(INSTALL DESTINATION \"\${FWC_ETC}/default\" TYPE FILE
       FILES \"${PROJECT_SOURCE_DIR}/packaging/default-fwc\" RENAME fwc)")

# Completions come from the built binary's own command-line definition.
set(FWC_COMPLETIONS ${CMAKE_BINARY_DIR}/completions)
add_custom_command(
  OUTPUT ${FWC_COMPLETIONS}/fwc ${FWC_COMPLETIONS}/_fwc
  COMMAND ${CMAKE_COMMAND} -E make_directory ${FWC_COMPLETIONS}
  COMMAND sh -c "\"$1\" completion bash > \"$2\" && \"$1\" completion zsh > \"$3\"" sh
          $<TARGET_FILE:fwc> ${FWC_COMPLETIONS}/fwc ${FWC_COMPLETIONS}/_fwc
  DEPENDS fwc
  COMMENT "Generating shell completions"
  VERBATIM)
add_custom_target(fwc_completions ALL DEPENDS ${FWC_COMPLETIONS}/fwc ${FWC_COMPLETIONS}/_fwc)

install(FILES ${FWC_COMPLETIONS}/fwc DESTINATION share/bash-completion/completions)
install(FILES ${FWC_COMPLETIONS}/_fwc DESTINATION share/zsh/vendor-completions)
install(FILES schema/fwc-policy.schema.json DESTINATION share/fwc)

# Units name the binary by its installed path, known only at install time
# (cmake --install --prefix, or /usr when CPack packages).
set(FWC_UNIT_SOURCE ${PROJECT_SOURCE_DIR}/packaging/systemd)
set(FWC_UNIT_BUILD ${CMAKE_BINARY_DIR}/systemd)
install(CODE "
  set(FWC_BINDIR \"\${CMAKE_INSTALL_PREFIX}/bin\")
  foreach(unit fwc-apply.service fwc-verify@.service fwc-refresh.service)
    configure_file(\"${FWC_UNIT_SOURCE}/\${unit}.in\" \"${FWC_UNIT_BUILD}/\${unit}\" @ONLY)
  endforeach()")
install(FILES ${FWC_UNIT_BUILD}/fwc-apply.service ${FWC_UNIT_BUILD}/fwc-verify@.service
              ${FWC_UNIT_SOURCE}/fwc-verify@.timer ${FWC_UNIT_BUILD}/fwc-refresh.service
              ${FWC_UNIT_SOURCE}/fwc-refresh.timer
        DESTINATION lib/systemd/system)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fwc)
set(CPACK_PACKAGE_VENDOR fwc)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "firewall policy compiler and validator")
# Lines under 80 columns (Debian policy 3.4.1); CPack indents each one.
set(CPACK_PACKAGE_DESCRIPTION "fwc checks a declarative YAML firewall policy for a cluster of hosts:
peer allow lists, block lists, rate meters, public, cluster-only and
admin-only ports, roles and cloud firewall groups. It compiles the policy
for nftables, iptables, ufw, firewalld and the DigitalOcean, AWS and
Hetzner cloud firewalls, applies it atomically over netlink, explains
which rule decides a packet, and verifies a host against it by probing.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "fwc developers <fwc@example.org>")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# Maintainer scripts register the units with deb-systemd-helper;
# /etc/default/fwc is a conffile (an administrator's edits survive upgrades).
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Debian 12 (bookworm) package names of the shared libraries fwc links.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libstdc++6, libgcc-s1, libnftnl11, libmnl0, libyaml-cpp0.7, libpcap0.8")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nftables")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "iptables, ipset, ufw, firewalld")
include(CPack)
