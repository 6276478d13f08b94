# Third-party packages the core and the TLM layer need, all from Debian 12.
# tlmmap::memmap finds its own (nlohmann-json, yaml-cpp) in src/memmap.
find_package(PkgConfig REQUIRED)
if(NOT TARGET PkgConfig::SystemC)
  pkg_check_modules(SystemC REQUIRED IMPORTED_TARGET GLOBAL systemc>=2.3.3)
endif()
find_package(Threads REQUIRED)
