# tlmmap_add_firmware(<name> SOURCES <src>... [INCLUDES <dir>...])
#
# Builds a bare-metal picolibc program for the RISC-V virt machine with
# riscv64-unknown-elf-gcc: rv64imac, lp64, -mcmodel=medany, machine mode,
# linked at 0x80000000 (the text, then data, bss and stack in the next MiB;
# QEMU's `-bios none -kernel` and riscv-virt's `--bios` both start there).
# The firmware library (lib/: UART stdio, exit through sifive_test, trap
# vector) is linked in; main()'s return value is the exit code.
#
# Gives <name>.elf and <name>.bin in the current binary directory and a
# target `firmware_<name>` whose properties FIRMWARE_ELF and FIRMWARE_BIN
# hold their paths. Without the cross compiler (gcc-riscv64-unknown-elf +
# picolibc-riscv64-unknown-elf) it does nothing and sets no target:
# callers check `if(TARGET firmware_<name>)`.
set(TLMMAP_FIRMWARE_LIB_DIR ${CMAKE_CURRENT_LIST_DIR}/lib)
find_program(TLMMAP_RISCV_GCC riscv64-unknown-elf-gcc)
find_program(TLMMAP_RISCV_OBJCOPY riscv64-unknown-elf-objcopy)
set(TLMMAP_PICOLIBC_SPECS /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs)
if(TLMMAP_RISCV_GCC AND TLMMAP_RISCV_OBJCOPY AND EXISTS ${TLMMAP_PICOLIBC_SPECS})
  set(TLMMAP_FIRMWARE_FOUND TRUE)
else()
  set(TLMMAP_FIRMWARE_FOUND FALSE)
  message(STATUS "tlmmap: riscv64-unknown-elf-gcc or picolibc not found, firmware not built")
endif()

function(tlmmap_add_firmware name)
  cmake_parse_arguments(F "" "" "SOURCES;INCLUDES" ${ARGN})
  if(NOT TLMMAP_FIRMWARE_FOUND)
    return()
  endif()
  set(lib ${TLMMAP_FIRMWARE_LIB_DIR})
  set(sources)
  foreach(s ${F_SOURCES})
    get_filename_component(s ${s} ABSOLUTE)
    list(APPEND sources ${s})
  endforeach()
  set(includes -I${lib})
  foreach(i ${F_INCLUDES})
    get_filename_component(i ${i} ABSOLUTE)
    list(APPEND includes -I${i})
  endforeach()
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  set(bin ${CMAKE_CURRENT_BINARY_DIR}/${name}.bin)
  # -march=rv64imac (not rv64imac_zicsr, which makes gcc pick a wrong
  # picolibc multilib): CSR instructions enable Zicsr themselves (virt.h, trap.S).
  add_custom_command(
    OUTPUT ${elf} ${bin}
    COMMAND ${TLMMAP_RISCV_GCC} --specs=${TLMMAP_PICOLIBC_SPECS}
            -march=rv64imac -mabi=lp64 -mcmodel=medany -O2 -g -Wall -Wextra -ffreestanding
            ${includes}
            -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x100000
            -Wl,--defsym=__ram=0x80100000 -Wl,--defsym=__ram_size=0x100000
            -Wl,--wrap=main -Wl,--no-warn-rwx-segments
            ${sources} ${lib}/firmware.c ${lib}/trap.S
            -o ${elf}
    COMMAND ${TLMMAP_RISCV_OBJCOPY} -O binary ${elf} ${bin}
    DEPENDS ${sources} ${lib}/firmware.c ${lib}/trap.S ${lib}/firmware.h ${lib}/virt.h ${lib}/cfi_flash.h
            ${CMAKE_CURRENT_FUNCTION_LIST_FILE}
    COMMENT "Building firmware ${name}"
    VERBATIM)
  add_custom_target(firmware_${name} ALL DEPENDS ${elf} ${bin})
  set_target_properties(firmware_${name} PROPERTIES FIRMWARE_ELF ${elf} FIRMWARE_BIN ${bin})
endfunction()
