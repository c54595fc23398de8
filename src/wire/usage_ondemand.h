// The usage reader for a document read with simdjson's On-Demand API (internal
// to the sources that iterate one: the cost report's line reader, the gateway's
// reader of a chat completion). Same rules and tables as read_usage() in
// usage.h: a count is a non-negative integer up to kMaxTokensPerField or null,
// and a field named twice counts where it is first named.
#pragma once

#include <simdjson.h>

#include "wire/usage.h"

namespace ff::wire {

// Collects the counts of a usage object into `fields`; false when one is
// malformed (wrong type, negative, too big), whose reason read_usage() gives.
bool collect_usage(simdjson::ondemand::object usage, UsageFields& fields);

}  // namespace ff::wire
