# Installed layout (FHS, relative to the prefix) and the Debian package.
#   bin/fwc                                   share/man/man1/fwc.1, man5/fwc-policy.5
#   share/bash-completion/completions/fwc     share/zsh/vendor-completions/_fwc
#   share/fwc/fwc-policy.schema.json          lib/systemd/system/fwc-*.{service,timer}

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
  foreach(unit fwc-apply.service fwc-verify@.service)
    configure_file(\"${FWC_UNIT_SOURCE}/\${unit}.in\" \"${FWC_UNIT_BUILD}/\${unit}\" @ONLY)
  endforeach()")
install(FILES ${FWC_UNIT_BUILD}/fwc-apply.service ${FWC_UNIT_BUILD}/fwc-verify@.service
              ${FWC_UNIT_SOURCE}/fwc-verify@.timer
        DESTINATION lib/systemd/system)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fwc)
set(CPACK_PACKAGE_VENDOR fwc)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "firewall policy compiler and validator")
set(CPACK_PACKAGE_DESCRIPTION "fwc checks a declarative firewall policy and compiles it for nftables, iptables, ufw, firewalld and cloud firewalls; it applies it atomically over netlink and verifies a host against it.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "fwc maintainers <fwc@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Debian 12 (bookworm) package names of the shared libraries fwc links.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libstdc++6, libgcc-s1, libnftnl11, libmnl0, libyaml-cpp0.7, libpcap0.8")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "nftables")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "iptables, ipset, ufw, firewalld")
include(CPack)
