// SPDX-License-Identifier: Apache-2.0
/**
 * ublk devices served from Java: {@link io.jublk.core.UblkDevice}, made by
 * {@link io.jublk.core.UblkDeviceBuilder}, and its queues ({@link io.jublk.core.UblkQueue}), served by
 * {@link io.jublk.core.QueueRunner} or an application's own loop ({@link io.jublk.core.QueueGroup}).
 *
 * <h2>Logging</h2>
 * jublk never prints. It logs through {@link java.lang.System.Logger}, so an application routes its
 * records to java.util.logging (the JDK's default), SLF4J or Log4j through the standard
 * {@link java.lang.System.LoggerFinder}. The loggers, all under {@code io.jublk}:
 * <table class="striped">
 *   <caption>jublk's loggers</caption>
 *   <thead><tr><th>Name</th><th>What it tells</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@code io.jublk.device}</td><td>a device added, taken over, started, stopped, let go and
 *       deleted (INFO); failures the device survives, such as an IO scheduler it could not set (WARNING)</td></tr>
 *   <tr><td>{@code io.jublk.queue}</td><td>a queue started and terminated (DEBUG); a target that threw,
 *       io commands the kernel refused, a queue that stopped serving (WARNING)</td></tr>
 *   <tr><td>{@code io.jublk.control}</td><td>control commands the kernel refused (DEBUG); every control
 *       command and its result (TRACE)</td></tr>
 *   <tr><td>{@code io.jublk.nbd}</td><td>the NBD target: connections made (DEBUG), lost and retried
 *       (WARNING), reconnected and a server without multi-conn (INFO)</td></tr>
 * </tbody>
 * </table>
 * Levels: WARNING for what the device survives, INFO for its lifecycle, DEBUG for queues and the
 * control plane. Nothing is logged per request above TRACE, and then only behind
 * {@link java.lang.System.Logger#isLoggable isLoggable}, so serving IO allocates nothing for logging.
 */
package io.jublk.core;
