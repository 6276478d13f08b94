# Third-party packages, all from Debian 12.
find_package(PkgConfig REQUIRED)
if(NOT TARGET PkgConfig::SystemC)
  pkg_check_modules(SystemC REQUIRED IMPORTED_TARGET GLOBAL systemc>=2.3.3)
endif()
find_package(nlohmann_json 3.10 REQUIRED CONFIG)
find_package(yaml-cpp CONFIG REQUIRED)
