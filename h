HTTP/1.1 200 OK
Server: flashfirst
content-type: application/json
x-flashfirst-model: deepseek-v4-flash
x-flashfirst-route: translation; translation: cue "translate" (translate)
x-flashfirst-escalated: false
x-flashfirst-cost: 0.0000339
x-flashfirst-cost-if-pro: 0.00011616
x-flashfirst-request-id: ff-4d1720ef-000080
Content-Length: 639

