# tropigrad_target_warnings(<target>)
#
# Warning flags for tropigrad's OWN targets (tests, examples, benchmarks).
# They are never attached to the tropigrad INTERFACE target, so consumers of
# the library keep their own warning settings. Third-party headers (Eigen,
# Catch2, Google Benchmark) come in through IMPORTED targets and are therefore
# -isystem: their warnings do not show up here.

include(CheckCXXSourceCompiles)

# GCC < 12.3 (Debian 12 ships 12.2) reports false "'__Y' is used uninitialized"
# / "may be used uninitialized" errors from its OWN avx512fintrin.h as soon as
# Eigen is compiled with AVX-512 enabled (e.g. -march=native on an AVX-512
# machine, as in the release preset): GCC PR 105593, fixed in 12.3. The
# location is inside the compiler's header, so it cannot be silenced locally.
# The same header also trips a false -Warray-bounds on Eigen's masked tail
# loads (e.g. "array subscript '__m512d_u[0]' is partly outside array bounds").
# Only in that exact situation are these warnings dropped; the
# debug/asan/tsan builds (no -march=native) keep them.
set(_tropigrad_gcc_avx512_bug OFF)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 12.3)
  check_cxx_source_compiles([=[
#ifndef __AVX512F__
#error "no AVX-512"
#endif
int main() { return 0; }
]=] TROPIGRAD_COMPILER_TARGETS_AVX512)
  if(TROPIGRAD_COMPILER_TARGETS_AVX512)
    set(_tropigrad_gcc_avx512_bug ON)
    message(STATUS "tropigrad: GCC ${CMAKE_CXX_COMPILER_VERSION} with AVX-512: "
                   "-Wno-uninitialized -Wno-maybe-uninitialized -Wno-array-bounds (GCC PR 105593)")
  endif()
endif()

function(tropigrad_target_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive-)
    if(TROPIGRAD_WERROR)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(_tropigrad_gcc_avx512_bug)
      target_compile_options(${target} PRIVATE -Wno-uninitialized -Wno-maybe-uninitialized -Wno-array-bounds)
    endif()
    if(TROPIGRAD_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
