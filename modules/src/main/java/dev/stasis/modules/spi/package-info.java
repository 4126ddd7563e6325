/**
 * The module SPI: what stasis needs to know of one container type.
 *
 * <dl>
 *   <dt>Module</dt>
 *   <dd>The code that knows one container type ({@link Module}): it creates, dumps, restores
 *       and drops a component's state; storing, hashing, deduplication, generations and
 *       verification are the engine's ({@code dev.stasis.store}).</dd>
 *   <dt>Target</dt>
 *   <dd>The component an operation acts on ({@link Target}): its names, path and the
 *       container's properties.</dd>
 *   <dt>Host</dt>
 *   <dd>What a module may touch of the machine ({@link Host}), the store's local directory
 *       passed explicitly.</dd>
 * </dl>
 */
package dev.stasis.modules.spi;
