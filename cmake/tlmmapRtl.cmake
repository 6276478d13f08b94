# tlmmap_add_rtl(<target> TOP <module> SOURCES <file>...
#                [PREFIX <class>] [PARAMETERS <name>=<value>...] [ARGS <verilator arg>...])
#
# Verilates SystemVerilog/Verilog RTL for SystemC (verilator --sc) into
# <target> (an executable or library that already exists) with Verilator's
# own verilate(): the model class is <PREFIX> (default V<TOP>), its header
# <PREFIX>.h; PARAMETERS override the top module's parameters (-G);
# assertions are compiled in (--assert), so a failing SystemVerilog
# assertion stops the simulation. Debian: apt-get install verilator.
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
  verilate(${target} SYSTEMC
    TOP_MODULE ${RTL_TOP}
    PREFIX ${RTL_PREFIX}
    SOURCES ${RTL_SOURCES}
    VERILATOR_ARGS --assert -Wno-fatal ${parameters} ${RTL_ARGS})
  # The generated headers test VM_SC; verilate() defines it for the target's
  # own sources only.
  target_compile_definitions(${target} PUBLIC VM_SC=1)
endfunction()
