// Ratings of answers: the body of POST /v1/flashfirst/feedback.
//
//   {"request_id": "…", "metric": "correct", "value": true | 0.8, "comment": "…"}
//
// request_id is the x-flashfirst-request-id the client received; metric names
// what is rated (1 to 64 characters); value is true/false or a finite number;
// comment is optional (at most 4,096 bytes). Any other field, a wrong type or a
// missing field is an error that names it. Pure; any thread.
#pragma once

#include <string_view>

#include "core/result.h"
#include "ledger/ledger.h"

namespace ff::gateway {

// The rating a body asks to record, without the key and time (the caller's).
core::Result<ledger::Feedback> parse_feedback(std::string_view body);

}  // namespace ff::gateway
