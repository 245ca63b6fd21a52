// SPDX-License-Identifier: Apache-2.0
/**
 * Snapshots of what a device's queues served: requests and bytes by kind, errors, requests in
 * flight, batching and service times ({@link io.jublk.core.UblkDevice#stats()}).
 */
package io.jublk.core.stats;
