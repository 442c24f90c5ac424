#!/usr/bin/env bash
# Build llama.cpp's native `llama-server` (continuous batching over --parallel
# slots) from the llama.cpp source that the installed llama-cpp-python's sdist
# vendors, so the server and the in-process engine run the same llama.cpp
# (MIT). Portable CMake flags: a native build crashes on CPUs with AMX.
#
# Idempotent: the binary is cached under build/llama-server/<version>/ and a
# second run only prints its path. The path is the last line on stdout.
#
#   scripts/build-llama-server.sh            # build (first time: several minutes)
#   JUNTO_LLAMA_SERVER=$(scripts/build-llama-server.sh | tail -n1)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
jobs=${JOBS:-$(nproc)}
# Same flags as LLAMA_CMAKE_ARGS in the Makefile (which passes its own).
cmake_args=${LLAMA_CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF}

version=$("$python" -c "import importlib.metadata as m; print(m.version('llama_cpp_python'))") || {
    echo "error: llama-cpp-python is not installed in $python; install junto[local] first" >&2
    exit 1
}
home=$root/build/llama-server/$version
binary=$home/bin/llama-server

if [ -x "$binary" ] && "$binary" --version >/dev/null 2>&1; then
    echo "$binary"
    exit 0
fi

mkdir -p "$home"
exec 9>"$home/.lock"
flock 9 # one build at a time; a second caller waits, then finds the binary
if [ -x "$binary" ] && "$binary" --version >/dev/null 2>&1; then
    echo "$binary"
    exit 0
fi

src=$home/src/llama_cpp_python-$version/vendor/llama.cpp
sdist=$home/sdist/llama_cpp_python-$version.tar.gz
if [ ! -f "$src/CMakeLists.txt" ]; then
    if [ ! -f "$sdist" ]; then
        echo "==> downloading the llama-cpp-python $version sdist (it vendors llama.cpp)" >&2
        mkdir -p "$home/sdist"
        "$python" -m pip download -q --disable-pip-version-check --no-binary :all: --no-deps \
            "llama-cpp-python==$version" -d "$home/sdist" >&2
    fi
    rm -rf "$home/src"
    mkdir -p "$home/src"
    tar -xzf "$sdist" -C "$home/src" "llama_cpp_python-$version/vendor/llama.cpp"
fi

if ! command -v cmake >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
        echo "error: cmake is needed to build llama-server; install it" >&2
        exit 1
    fi
    echo "==> installing Debian's cmake" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake >/dev/null
fi
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi

echo "==> building llama-server from llama.cpp vendored by llama-cpp-python $version ($jobs jobs; several minutes)" >&2
# shellcheck disable=SC2086  # the flags are a word list
cmake -S "$src" -B "$home/cmake" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release $cmake_args \
    -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_BUILD_APP=OFF >&2
cmake --build "$home/cmake" --target llama-server -j "$jobs" >&2
mkdir -p "$home/bin"
cp "$home/cmake/bin/llama-server" "$binary.tmp"
mv "$binary.tmp" "$binary"
"$binary" --version >&2
echo "$binary"
