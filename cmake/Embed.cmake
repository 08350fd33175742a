# fwc_embed(TARGET HEADER NAMESPACE VAR=FILE...): generates HEADER in the
# build tree from the files at build time and makes TARGET depend on it.
function(fwc_embed target header namespace)
  set(inputs "")
  set(depends "")
  foreach(pair IN LISTS ARGN)
    string(REPLACE "=" ";" kv "${pair}")
    list(GET kv 1 file)
    list(APPEND inputs "${pair}")
    list(APPEND depends "${file}")
  endforeach()
  set(out "${CMAKE_BINARY_DIR}/generated/${header}")
  string(REPLACE ";" "|" inputs_arg "${inputs}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} "-DINPUTS=${inputs_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_header.cmake
    DEPENDS ${depends} ${PROJECT_SOURCE_DIR}/cmake/embed_header.cmake
    COMMENT "Embedding ${header}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
  target_include_directories(${target} PRIVATE "${CMAKE_BINARY_DIR}/generated")
endfunction()
