import type { Database } from '@monlight/core'
import { type Kysely, type Selectable, sql } from 'kysely'
import {
  BUNDLE_TABLE,
  type BundleTable,
  CHUNK_TABLE,
  DSN_KEY_TABLE,
  type DsnKeyTable,
  PROJECT_TABLE,
  type RelayTables,
  SOURCE_MAP_TABLE,
  type SourceMapTable,
} from '../schema/tables.js'

export type DsnKeyRow = Selectable<DsnKeyTable> & { project_id: number }
type NewDsnKey = Omit<Selectable<DsnKeyTable>, 'id'>

/** A stored map without its content, as the list shows it. */
export type SourceMapSummary = Omit<Selectable<SourceMapTable>, 'map_content'>
export type NewSourceMap = Omit<Selectable<SourceMapTable>, 'id'>
export type BundleRow = Selectable<BundleTable>

export type RelayStore = ReturnType<typeof createRelayStore>

/** The only place with SQL. One implementation for SQLite, PGlite and PostgreSQL. */
export function createRelayStore(database: Database) {
  // A host's plugins (camelCase and the like) must not rewrite our queries.
  const db = database.db.withoutPlugins() as Kysely<RelayTables>
  // Postgres returns bigint ids and counts as strings.
  const keyRow = (row: Selectable<DsnKeyTable> & { project_id: number | null }): DsnKeyRow => ({
    ...row,
    id: Number(row.id),
    active: Number(row.active),
    rate_limit: row.rate_limit === null ? null : Number(row.rate_limit),
    project_id: Number(row.project_id),
  })
  const keys = () =>
    db
      .selectFrom(DSN_KEY_TABLE)
      // Every path that writes a key (seed, create, import) creates its project first.
      .innerJoin(PROJECT_TABLE, `${PROJECT_TABLE}.name`, `${DSN_KEY_TABLE}.project`)
      .selectAll(DSN_KEY_TABLE)
      .select(`${PROJECT_TABLE}.id as project_id`)
  const ensureProject = (name: string) =>
    db
      .insertInto(PROJECT_TABLE)
      .values({ name })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute()
  // Any change to the maps forgets which bundles were assembled: uploading one again must store its maps again,
  // not answer "already there" for maps deleted or replaced since.
  const forgetBundles = (executor: Kysely<RelayTables> = db) => executor.deleteFrom(BUNDLE_TABLE).execute()
  const mapSummary = (row: SourceMapSummary): SourceMapSummary => ({
    ...row,
    id: Number(row.id),
    size: Number(row.size),
  })

  return {
    /** Inserts a key unless one with this public key exists (upstream's INSERT OR IGNORE seeding). */
    async seedKey(key: NewDsnKey): Promise<boolean> {
      await ensureProject(key.project)
      const result = await db
        .insertInto(DSN_KEY_TABLE)
        .values(key)
        .onConflict((conflict) => conflict.column('public_key').doNothing())
        .executeTakeFirst()
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
    },

    async createKey(key: NewDsnKey): Promise<DsnKeyRow> {
      await ensureProject(key.project)
      const { id } = await db.insertInto(DSN_KEY_TABLE).values(key).returning('id').executeTakeFirstOrThrow()
      return keyRow(await keys().where(`${DSN_KEY_TABLE}.id`, '=', id).executeTakeFirstOrThrow())
    },

    async listKeys(): Promise<DsnKeyRow[]> {
      return (await keys().orderBy(`${DSN_KEY_TABLE}.id`).execute()).map(keyRow)
    },

    /** A key in any state (to say why it was refused). */
    async findKey(publicKey: string): Promise<DsnKeyRow | undefined> {
      const row = await keys().where('public_key', '=', publicKey).executeTakeFirst()
      return row && keyRow(row)
    },

    async findActiveKey(publicKey: string): Promise<DsnKeyRow | undefined> {
      const row = await keys().where('public_key', '=', publicKey).where('active', '=', 1).executeTakeFirst()
      return row && keyRow(row)
    },

    /** A project by name, or by number when `nameOrId` is all digits. */
    async findProject(nameOrId: string): Promise<{ id: number; name: string } | undefined> {
      const byId = /^\d{1,15}$/.test(nameOrId)
      const row = await db
        .selectFrom(PROJECT_TABLE)
        .select(['id', 'name'])
        .where((eb) =>
          byId
            ? eb.or([eb('name', '=', nameOrId), eb('id', '=', Number(nameOrId))])
            : eb('name', '=', nameOrId),
        )
        .orderBy('id')
        .executeTakeFirst()
      return row && { id: Number(row.id), name: row.name }
    },

    /** Allowed-origin lists of every active key, for preflights (which carry no key). */
    async activeOrigins(): Promise<string[]> {
      const rows = await db
        .selectFrom(DSN_KEY_TABLE)
        .select('allowed_origins')
        .where('active', '=', 1)
        .where('allowed_origins', '<>', '[]')
        .execute()
      return rows.map((row) => row.allowed_origins)
    },

    async updateKey(
      id: number,
      changes: Partial<Pick<DsnKeyRow, 'allowed_origins' | 'rate_limit' | 'active'>>,
    ): Promise<DsnKeyRow | undefined> {
      // No columns to set would be `update … set where …`: invalid SQL.
      if (Object.keys(changes).length > 0) {
        const updated = await db
          .updateTable(DSN_KEY_TABLE)
          .set(changes)
          .where('id', '=', id)
          .executeTakeFirst()
        if (Number(updated.numUpdatedRows) === 0) return undefined
      }
      const row = await keys().where(`${DSN_KEY_TABLE}.id`, '=', id).executeTakeFirst()
      return row && keyRow(row)
    },

    /**
     * Stores maps in one transaction. A map replaces the map of its (project, debug_id), and takes the key
     * (project, release, file_url) from the one holding it: a map without a debug ID is deleted, one with another
     * debug ID (another build of that release) keeps its debug ID but loses the release, so events of that build
     * still find it. A re-upload gets new ids, as upstream. Returns the new ids in order.
     */
    async putSourceMaps(maps: readonly NewSourceMap[]): Promise<number[]> {
      return db.transaction().execute(async (trx) => {
        const ids: number[] = []
        for (const map of maps) {
          if (map.debug_id !== null) {
            await trx
              .deleteFrom(SOURCE_MAP_TABLE)
              .where('project', '=', map.project)
              .where('debug_id', '=', map.debug_id)
              .execute()
          }
          if (map.release !== null) {
            await trx
              .updateTable(SOURCE_MAP_TABLE)
              .set({ release: null })
              .where('project', '=', map.project)
              .where('release', '=', map.release)
              .where('file_url', '=', map.file_url)
              .where('debug_id', 'is not', null)
              .execute()
            await trx
              .deleteFrom(SOURCE_MAP_TABLE)
              .where('project', '=', map.project)
              .where('release', '=', map.release)
              .where('file_url', '=', map.file_url)
              .execute()
          }
          const row = await trx
            .insertInto(SOURCE_MAP_TABLE)
            .values(map)
            .returning('id')
            .executeTakeFirstOrThrow()
          ids.push(Number(row.id))
        }
        await forgetBundles(trx)
        return ids
      })
    },

    async listSourceMaps(project?: string): Promise<SourceMapSummary[]> {
      let query = db
        .selectFrom(SOURCE_MAP_TABLE)
        .select(['id', 'project', 'release', 'file_url', 'debug_id', 'size', 'uploaded_at'])
        .orderBy('id')
      if (project !== undefined) query = query.where('project', '=', project)
      return (await query.execute()).map(mapSummary)
    },

    /** The maps of `fileUrls` in a release, by file URL: their ids (which change on re-upload) and debug IDs. */
    async findSourceMapIds(
      project: string,
      release: string,
      fileUrls: string[],
    ): Promise<Map<string, { id: number; debugId: string | null }>> {
      if (fileUrls.length === 0) return new Map()
      const rows = await db
        .selectFrom(SOURCE_MAP_TABLE)
        .select(['id', 'file_url', 'debug_id'])
        .where('project', '=', project)
        .where('release', '=', release)
        .where('file_url', 'in', fileUrls)
        .execute()
      return new Map(rows.map((row) => [row.file_url, { id: Number(row.id), debugId: row.debug_id }]))
    },

    /** The ids of the maps of `debugIds` in a project, by debug ID. */
    async findSourceMapIdsByDebugId(project: string, debugIds: string[]): Promise<Map<string, number>> {
      if (debugIds.length === 0) return new Map()
      const rows = await db
        .selectFrom(SOURCE_MAP_TABLE)
        .select(['id', 'debug_id'])
        .where('project', '=', project)
        .where('debug_id', 'in', debugIds)
        .execute()
      return new Map(rows.map((row) => [row.debug_id!, Number(row.id)]))
    },

    /** Every project that has a map, and every (project, release) that has one as `project\u0000release`. */
    async mapOwners(): Promise<{ projects: Set<string>; releases: Set<string> }> {
      const rows = await db.selectFrom(SOURCE_MAP_TABLE).select(['project', 'release']).distinct().execute()
      return {
        projects: new Set(rows.map((row) => row.project)),
        releases: new Set(
          rows.flatMap((row) => (row.release === null ? [] : [`${row.project}\u0000${row.release}`])),
        ),
      }
    },

    async getSourceMapContent(id: number): Promise<string | undefined> {
      const row = await db
        .selectFrom(SOURCE_MAP_TABLE)
        .select('map_content')
        .where('id', '=', id)
        .executeTakeFirst()
      return row?.map_content
    },

    async deleteSourceMap(id: number): Promise<boolean> {
      const result = await db.deleteFrom(SOURCE_MAP_TABLE).where('id', '=', id).executeTakeFirst()
      const deleted = Number(result.numDeletedRows) > 0
      if (deleted) await forgetBundles()
      return deleted
    },

    /** Deletes maps uploaded before `iso`; returns the deleted ids (so their parsed copies can be dropped). */
    async deleteSourceMapsBefore(iso: string): Promise<number[]> {
      const rows = await db
        .deleteFrom(SOURCE_MAP_TABLE)
        .where('uploaded_at', '<', iso)
        .returning('id')
        .execute()
      if (rows.length > 0) await forgetBundles()
      return rows.map((row) => Number(row.id))
    },

    /** Stores chunks of artifact bundles; one already there is kept (a chunk is named by its content's SHA-1). */
    async putChunks(chunks: readonly { checksum: string; content: Uint8Array }[], uploadedAt: string) {
      if (chunks.length === 0) return
      await db
        .insertInto(CHUNK_TABLE)
        .values(chunks.map((chunk) => ({ ...chunk, uploaded_at: uploadedAt })))
        // Uploaded again: kept from the clean-up for another day.
        .onConflict((conflict) => conflict.column('checksum').doUpdateSet({ uploaded_at: uploadedAt }))
        .execute()
    },

    /** The sizes in bytes of the stored chunks among `checksums` (a missing one has none). */
    async chunkSizes(checksums: readonly string[]): Promise<Map<string, number>> {
      if (checksums.length === 0) return new Map()
      const rows = await db
        .selectFrom(CHUNK_TABLE)
        .select(['checksum', sql<number>`length(content)`.as('size')])
        .where('checksum', 'in', [...new Set(checksums)])
        .execute()
      return new Map(rows.map((row) => [row.checksum, Number(row.size)]))
    },

    /** The stored chunks of `checksums`, by checksum. */
    async getChunks(checksums: readonly string[]): Promise<Map<string, Buffer>> {
      const chunks = new Map<string, Buffer>()
      for (const checksum of new Set(checksums)) {
        // One at a time: a bundle's chunks are up to the chunk size each, and the driver copies each row.
        const row = await db
          .selectFrom(CHUNK_TABLE)
          .select('content')
          .where('checksum', '=', checksum)
          .executeTakeFirst()
        if (row) {
          const { content } = row
          chunks.set(checksum, Buffer.from(content.buffer, content.byteOffset, content.byteLength))
        }
      }
      return chunks
    },

    async getBundle(checksum: string): Promise<BundleRow | undefined> {
      return db.selectFrom(BUNDLE_TABLE).selectAll().where('checksum', '=', checksum).executeTakeFirst()
    },

    async putBundle(bundle: BundleRow): Promise<void> {
      await db
        .insertInto(BUNDLE_TABLE)
        .values(bundle)
        .onConflict((conflict) =>
          conflict.column('checksum').doUpdateSet({
            detail: bundle.detail,
            assembled_at: bundle.assembled_at,
          }),
        )
        .execute()
    },

    /** Drops chunks last uploaded, and bundles assembled, before `iso`. */
    async deleteUploadsBefore(iso: string): Promise<void> {
      await db.deleteFrom(CHUNK_TABLE).where('uploaded_at', '<', iso).execute()
      await db.deleteFrom(BUNDLE_TABLE).where('assembled_at', '<', iso).execute()
    },
  }
}
