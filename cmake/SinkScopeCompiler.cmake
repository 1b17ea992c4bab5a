# Compiler settings shared by every SinkScope target: warnings, instruction set, sanitizers.
# Not for dependencies or target lists; those live in the folders' own CMakeLists.txt.

# Hot paths (Eigen GEMMs, the attention probe) need AVX2 + FMA: plain x86-64 runs them
# 2.5x slower. app/CpuCheck.cpp refuses to start with a clear message on older CPUs.
set(SINKSCOPE_ARCH_FLAGS "-march=x86-64-v3" CACHE STRING "Instruction-set flags for all SinkScope code")
add_compile_options(${SINKSCOPE_ARCH_FLAGS})

if(SINKSCOPE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# tests/fuzz/run.sh: every SinkScope object gets libFuzzer's coverage hooks plus ASan and UBSan;
# only the fuzz targets themselves link libFuzzer's main (tests/fuzz/CMakeLists.txt).
if(SINKSCOPE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SINKSCOPE_FUZZ needs clang's libFuzzer: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

find_program(SINKSCOPE_CCACHE ccache)
if(SINKSCOPE_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${SINKSCOPE_CCACHE})
endif()

function(sinkscope_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(SINKSCOPE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
