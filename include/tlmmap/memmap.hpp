// tlmmap::memmap in one include: map files, `info mtree` and DOT text, checks.
#pragma once

#include "tlmmap/core.hpp"
#include "tlmmap/memmap/dot_writer.hpp"
#include "tlmmap/memmap/map_check.hpp"
#include "tlmmap/memmap/memmap_loader.hpp"
#include "tlmmap/memmap/memmap_writer.hpp"
#include "tlmmap/memmap/mtree.hpp"
