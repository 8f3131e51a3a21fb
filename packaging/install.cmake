# Install rules for the appliance's system files (systemd unit, udev rules, sysusers/tmpfiles,
# configuration). Included from the top CMakeLists.txt after src/, so it sees which executables
# exist: the kiosk's files are installed only when the `borne` target exists, the registry's only
# when `borne-registry` does. The executables' own install() rules live in their CMakeLists.
#
# System directories follow systemd's and udev's pkg-config files when the prefix is /usr (Debian
# bookworm: /lib/systemd/system, /lib/udev/rules.d); under another prefix they stay inside it.
set(_borne_fw ${PROJECT_SOURCE_DIR}/firmware-config)

if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    pkg_get_variable(_unitdir systemd systemdsystemunitdir)
    pkg_get_variable(_udevdir udev udevdir)
    set(_etc /etc)
endif()
if(NOT _unitdir)
    set(_unitdir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()
if(NOT _udevdir)
    if(_unitdir MATCHES "^/lib/")
        set(_udevdir /lib/udev) # split-/usr layout (Debian 12)
    else()
        set(_udevdir ${CMAKE_INSTALL_PREFIX}/lib/udev)
    endif()
endif()
if(NOT _etc)
    set(_etc ${CMAKE_INSTALL_FULL_SYSCONFDIR})
endif()
set(BORNE_SYSTEMD_UNITDIR ${_unitdir} CACHE PATH "systemd system unit directory")
set(BORNE_UDEV_RULESDIR ${_udevdir}/rules.d CACHE PATH "udev rules directory")
set(BORNE_SYSUSERSDIR ${CMAKE_INSTALL_PREFIX}/lib/sysusers.d CACHE PATH "sysusers.d directory")
set(BORNE_TMPFILESDIR ${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d CACHE PATH "tmpfiles.d directory")
set(BORNE_CONFDIR ${_etc}/borne CACHE PATH "configuration directory")

if(TARGET borne)
    install(FILES ${_borne_fw}/systemd/borne.service DESTINATION ${BORNE_SYSTEMD_UNITDIR})
    install(FILES ${_borne_fw}/udev/70-borne.rules DESTINATION ${BORNE_UDEV_RULESDIR})
    install(FILES ${_borne_fw}/sysusers/borne.conf DESTINATION ${BORNE_SYSUSERSDIR})
    install(FILES ${_borne_fw}/tmpfiles/borne.conf DESTINATION ${BORNE_TMPFILESDIR})
    # Appliance set-up files, for setup-pi.sh on the device (docs/appliance.md).
    install(DIRECTORY ${_borne_fw}/boot ${_borne_fw}/systemd ${_borne_fw}/udev ${_borne_fw}/storage
                      ${_borne_fw}/time
            DESTINATION ${CMAKE_INSTALL_DATADIR}/borne/firmware-config
            PATTERN README.md EXCLUDE)
    install(PROGRAMS ${_borne_fw}/setup-pi.sh
            DESTINATION ${CMAKE_INSTALL_DATADIR}/borne/firmware-config)
endif()
if(TARGET borne OR TARGET bornectl)
    # All keys commented out: the defaults apply until someone edits it.
    install(FILES ${_borne_fw}/borne.conf.example DESTINATION ${BORNE_CONFDIR} RENAME borne.conf)
endif()

if(TARGET borne-registry)
    if(EXISTS ${PROJECT_SOURCE_DIR}/packaging/borne-registry.service)
        install(FILES ${PROJECT_SOURCE_DIR}/packaging/borne-registry.service
                DESTINATION ${BORNE_SYSTEMD_UNITDIR})
    endif()
    install(FILES ${PROJECT_SOURCE_DIR}/packaging/registry/sysusers.conf
            DESTINATION ${BORNE_SYSUSERSDIR} RENAME borne-registry.conf)
    install(FILES ${PROJECT_SOURCE_DIR}/packaging/registry/tmpfiles.conf
            DESTINATION ${BORNE_TMPFILESDIR} RENAME borne-registry.conf)
endif()
