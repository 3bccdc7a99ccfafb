// The one Catch2 (v2) main for every test executable; compiled once into the
// tropigrad_catch_main library that tests/CMakeLists.txt links into each suite.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
