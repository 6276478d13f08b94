# tlmmap_add_rtl(<target> TOP <module> SOURCES <file>...
#                [PREFIX <class>] [PARAMETERS <name>=<value>...] [ARGS <verilator arg>...])
#
# Verilates SystemVerilog/Verilog RTL for SystemC (verilator --sc) into
# <target> (an executable or library that already exists) with Verilator's
# own verilate(): the model class is <PREFIX> (default V<TOP>), its header
# <PREFIX>.h; PARAMETERS override the top module's parameters (-G);
# assertions are compiled in (--assert), so a failing SystemVerilog
# assertion stops the simulation. Debian: apt-get install verilator.
# The generated C++ is compiled without debug information (a quarter of
# its build time); set TLMMAP_RTL_DEBUG_INFO=ON to keep -g.
#
# tlmmap_rtl_library(<name>)
#
# A static library for several models (tlmmap_add_rtl(<name> ...) for each;
# link it where they are used): Verilator's runtime is compiled once for
# all of them, and the SystemC and Verilator headers that every generated
# file includes are precompiled (a third of the build time of each file).
find_package(verilator HINTS $ENV{VERILATOR_ROOT} /usr/share/verilator)

function(tlmmap_add_rtl target)
  cmake_parse_arguments(RTL "" "TOP;PREFIX" "SOURCES;PARAMETERS;ARGS" ${ARGN})
  if(NOT COMMAND verilate)
    message(FATAL_ERROR "tlmmap_add_rtl(${target}): Verilator was not found (apt-get install verilator)")
  endif()
  if(NOT RTL_TOP OR NOT RTL_SOURCES)
    message(FATAL_ERROR "tlmmap_add_rtl(${target}): TOP and SOURCES are required")
  endif()
  if(NOT RTL_PREFIX)
    set(RTL_PREFIX V${RTL_TOP})
  endif()
  set(parameters)
  foreach(p IN LISTS RTL_PARAMETERS)
    list(APPEND parameters -G${p})
  endforeach()
  list(TRANSFORM RTL_SOURCES PREPEND "${CMAKE_CURRENT_SOURCE_DIR}/" REGEX "^[^/]")
  set(no_debug -g0)
  if(TLMMAP_RTL_DEBUG_INFO)
    set(no_debug)
  endif()
  verilate(${target} SYSTEMC
    TOP_MODULE ${RTL_TOP}
    PREFIX ${RTL_PREFIX}
    SOURCES ${RTL_SOURCES}
    OPT_SLOW ${no_debug}
    OPT_FAST ${no_debug}
    OPT_GLOBAL ${no_debug}
    VERILATOR_ARGS --assert -Wno-fatal ${parameters} ${RTL_ARGS})
  # Verilator's runtime defines macros before its own includes: never
  # behind a precompiled header.
  file(GLOB runtime "${VERILATOR_ROOT}/include/verilated*.cpp")
  set_source_files_properties(${runtime} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
  # The generated headers test VM_SC; verilate() defines it for the target's
  # own sources only.
  target_compile_definitions(${target} PUBLIC VM_SC=1)
  # verilate() adds Verilator's headers as ordinary include directories, and
  # they are not warning-free under -Wextra (verilated_types.h: unused
  # parameters). As system directories (a directory in both lists is given
  # with -isystem) they stay quiet in every file that includes a model,
  # while our own code keeps its warnings.
  target_include_directories(${target} SYSTEM PUBLIC "${VERILATOR_ROOT}/include" "${VERILATOR_ROOT}/include/vltstd")
endfunction()

function(tlmmap_rtl_library name)
  add_library(${name} STATIC)
  target_link_libraries(${name} PUBLIC PkgConfig::SystemC)
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  # Generated code: its warnings are not the user's.
  target_compile_options(${name} PRIVATE -w)
  if(NOT TLMMAP_RTL_DEBUG_INFO)
    target_compile_options(${name} PRIVATE -g0)
  endif()
  # Under AddressSanitizer the generated code is left uninstrumented: it is
  # Verilator's, not ours, and instrumenting it costs a quarter more build
  # time for it. Our code that touches the models stays instrumented.
  if(TLMMAP_SANITIZE AND NOT TLMMAP_SANITIZE STREQUAL "thread")
    target_compile_options(${name} PRIVATE -fno-sanitize=all)
  endif()
  target_precompile_headers(${name} PRIVATE <systemc.h> <verilated.h> <verilated_sc.h>)
endfunction()
