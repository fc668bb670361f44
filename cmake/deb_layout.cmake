# Run by cpack (CPACK_PRE_BUILD_SCRIPTS) on the staged files, before the Debian package is made:
# Debian's zsh looks for packaged completions in /usr/share/zsh/vendor-completions, not in
# site-functions (which `cmake --install` uses, and which is on zsh's path under /usr/local).
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
file(GLOB_RECURSE staged LIST_DIRECTORIES false
     "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*/share/zsh/site-functions/_dtruss")
if(NOT staged)
  message(FATAL_ERROR "deb_layout: no zsh completion in ${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
endif()
foreach(file ${staged})
  get_filename_component(site ${file} DIRECTORY)
  get_filename_component(zsh ${site} DIRECTORY)
  file(MAKE_DIRECTORY ${zsh}/vendor-completions)
  file(RENAME ${file} ${zsh}/vendor-completions/_dtruss)
  file(REMOVE_RECURSE ${site})
endforeach()
