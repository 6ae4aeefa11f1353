<?php

declare(strict_types=1);

// Services shown on the board. PUT /api/services/{id} validates a status
// change and answers with the result; nothing is persisted.
return [
    'api' => ['name' => 'Public API', 'status' => 'operational'],
    'auth' => ['name' => 'Sign-in', 'status' => 'operational'],
    'billing' => ['name' => 'Billing', 'status' => 'degraded'],
    'search' => ['name' => 'Search', 'status' => 'operational'],
];
