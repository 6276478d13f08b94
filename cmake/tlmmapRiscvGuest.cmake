# Bare-metal RISC-V guest programs for the platforms' tests and benchmarks,
# built with the cross compiler (gcc-riscv64-unknown-elf) as flat binaries
# that start at 0x80000000 (RAM on riscv-virt).
#
#   tlmmap_riscv_guest(<out_var> <source.S> <output dir> [MARCH rv64im])
# sets <out_var> to the .bin file (a custom command's output). RISCV_GUESTS_FOUND
# says whether the compiler is there.
find_program(RISCV_GCC riscv64-unknown-elf-gcc)
find_program(RISCV_OBJCOPY riscv64-unknown-elf-objcopy)
if(RISCV_GCC AND RISCV_OBJCOPY)
  set(RISCV_GUESTS_FOUND TRUE)
else()
  set(RISCV_GUESTS_FOUND FALSE)
endif()

function(tlmmap_riscv_guest out source dir)
  cmake_parse_arguments(G "" "MARCH" "" ${ARGN})
  if(NOT G_MARCH)
    set(G_MARCH rv64imac)
  endif()
  get_filename_component(name ${source} NAME_WE)
  add_custom_command(
    OUTPUT ${dir}/${name}.bin
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${RISCV_GCC} -march=${G_MARCH} -mabi=lp64 -nostdlib -nostartfiles -Wl,-Ttext=0x80000000
            -Wl,--no-warn-rwx-segments ${source} -o ${dir}/${name}.elf
    COMMAND ${RISCV_OBJCOPY} -O binary ${dir}/${name}.elf ${dir}/${name}.bin
    DEPENDS ${source}
    VERBATIM)
  set(${out} ${dir}/${name}.bin PARENT_SCOPE)
endfunction()
