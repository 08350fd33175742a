#pragma once
#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/cloud/cloud_model.h"

// DigitalOcean: the body of `POST /v2/firewalls` for one group.
namespace fwc::digitalocean {

std::string payload(const cloud::Group& g);
std::unique_ptr<backend::Backend> make_backend();

}  // namespace fwc::digitalocean
