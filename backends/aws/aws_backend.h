#pragma once
#include <memory>
#include <string>

#include "backends/backend.h"
#include "backends/cloud/cloud_model.h"

// AWS: CLI input for `aws ec2 ... --cli-input-json file://FILE`, one
// security group per node or role:
//   aws-create.json         create-security-group
//   aws-revoke-egress.json  revoke-security-group-egress (the default
//                           allow-all egress rule; only when outbound is restricted)
//   aws-ingress.json        authorize-security-group-ingress
//   aws-egress.json         authorize-security-group-egress
// Group ids known only after creation are placeholders (${SG_NAME}) for
// the operator to substitute (docs/cloud.md).
namespace fwc::aws {

// AWS descriptions: letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*, at
// most 255 characters; anything else becomes a space.
std::string description_text(const std::string& text);

// The placeholder for the id of the group named `group`: ${SG_HEROCTL_SERVER}.
std::string placeholder(const std::string& group);

std::string create_payload(const cloud::Group& g);
// Empty when there is nothing to send.
std::string revoke_egress_payload(const cloud::Group& g);
std::string ingress_payload(const cloud::Group& g);
std::string egress_payload(const cloud::Group& g);

std::unique_ptr<backend::Backend> make_backend();

}  // namespace fwc::aws
