// tlmmap::core in one include: regions, address spaces, flat views, the
// model's access path. No SystemC.
#pragma once

#include "tlmmap/core/access.hpp"
#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/flat_view.hpp"
#include "tlmmap/core/iommu_region.hpp"
#include "tlmmap/core/map_queries.hpp"
#include "tlmmap/core/memory_map.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/region.hpp"
#include "tlmmap/core/report.hpp"
#include "tlmmap/core/reservation_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/core/rom_region.hpp"
#include "tlmmap/core/section.hpp"
#include "tlmmap/core/transaction.hpp"
#include "tlmmap/core/view_reader.hpp"
