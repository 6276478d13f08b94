// Everything of tlmmap in one include: the core, the TLM face and map files.
#pragma once

#include "tlmmap/core.hpp"
#include "tlmmap/memmap.hpp"
#include "tlmmap/tlm.hpp"
