// tlmmap::tlm in one include: the TLM-2.0 face.
#pragma once

#include "tlmmap/core.hpp"
#include "tlmmap/tlm/address_space_target.hpp"
#include "tlmmap/tlm/bus.hpp"
#include "tlmmap/tlm/dma_engine.hpp"
#include "tlmmap/tlm/dmi_cache.hpp"
#include "tlmmap/tlm/dmi_initiator.hpp"
#include "tlmmap/tlm/iommu_module.hpp"
#include "tlmmap/tlm/reference_iommu.hpp"
#include "tlmmap/tlm/reference_iommu_driver.hpp"
#include "tlmmap/tlm/sc_event_notifier.hpp"
#include "tlmmap/tlm/systemc_reports.hpp"
#include "tlmmap/tlm/time.hpp"
#include "tlmmap/tlm/tlm_device_region.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"
