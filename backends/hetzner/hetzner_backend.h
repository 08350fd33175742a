#pragma once
#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/cloud/cloud_model.h"

// Hetzner Cloud: the body of `POST /v1/firewalls` for one group.
namespace fwc::hetzner {

std::string payload(const cloud::Group& g);
std::unique_ptr<backend::Backend> make_backend();

}  // namespace fwc::hetzner
