// Reservation: claims address space the simulator must not handle (QEMU
// uses it for ranges that KVM handles in the host kernel). An access to it is
// reported and answered with an error.
#pragma once

#include "tlmmap/core/region.hpp"

namespace tlmmap {

class ReservationRegion : public Region {
 public:
  ReservationRegion(std::string name, u128 size);
};

}  // namespace tlmmap
