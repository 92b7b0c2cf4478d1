/**
 * Builders for the JSON documents GitHub's REST API returns, shaped after the published OpenAPI
 * description (api.github.com) so Octokit and our adapter read exactly what they would in
 * production. Values GitHub derives from data we do not model (stars, licences...) are plausible
 * constants.
 */

export interface RepoView {
  readonly api: string; // peer base URL, stands in for https://api.github.com
  readonly owner: string;
  readonly name: string;
  readonly id: number;
  readonly private: boolean;
  readonly defaultBranch: string;
  readonly createdAt: string;
  readonly permissions: { readonly admin: boolean; readonly push: boolean; readonly pull: boolean } | null;
}

export interface GitPerson {
  readonly name: string;
  readonly email: string;
  readonly date: string; // ISO 8601, seconds precision, UTC
}

export interface ParsedCommit {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: GitPerson;
  readonly committer: GitPerson;
  readonly message: string;
}

export interface TreeEntry {
  readonly path: string;
  readonly mode: string;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly sha: string;
  readonly size?: number;
}

export interface StoredHook {
  readonly id: number;
  readonly name: string;
  readonly active: boolean;
  readonly events: readonly string[];
  readonly config: {
    readonly url: string;
    readonly content_type: string;
    readonly insecure_ssl: string;
    readonly secret?: string;
  };
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface RateBucketView {
  readonly limit: number;
  readonly remaining: number;
  readonly reset: number;
  readonly used: number;
}

export const DOCS = 'https://docs.github.com/rest';

/** GitHub's global node ids are opaque base64 strings; this keeps them stable per object. */
function nodeId(kind: string, key: string | number): string {
  return Buffer.from(`0:${kind}${key}`, 'utf8').toString('base64').replace(/=+$/, '');
}

/** Stable positive ids derived from a name, so restarts and tests agree. */
export function stableId(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  return (hash % 900_000_000) + 1_000;
}

/** GitHub formats times as `2011-01-26T19:01:12Z` (no milliseconds). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function errorBody(
  status: number,
  message: string,
  documentationUrl = DOCS,
  extra: Record<string, unknown> = {},
) {
  return { message, ...extra, documentation_url: documentationUrl, status: String(status) };
}

export function simpleUser(api: string, login: string, type: 'User' | 'Organization' = 'User') {
  const id = stableId(`user:${login}`);
  const users = `${api}/users/${login}`;
  return {
    login,
    id,
    node_id: nodeId('User', id),
    avatar_url: `${api}/_avatars/u/${id}?v=4`,
    gravatar_id: '',
    url: users,
    html_url: `${api}/${login}`,
    followers_url: `${users}/followers`,
    following_url: `${users}/following{/other_user}`,
    gists_url: `${users}/gists{/gist_id}`,
    starred_url: `${users}/starred{/owner}{/repo}`,
    subscriptions_url: `${users}/subscriptions`,
    organizations_url: `${users}/orgs`,
    repos_url: `${users}/repos`,
    events_url: `${users}/events{/privacy}`,
    received_events_url: `${users}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** `GET /user` for a token: GitHub answers the authenticated user's private view. */
export function privateUser(api: string, login: string, createdAt: string) {
  return {
    ...simpleUser(api, login),
    user_view_type: 'private',
    name: login,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    notification_email: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: createdAt,
    updated_at: createdAt,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: 'free', space: 976562499, collaborators: 0, private_repos: 10000 },
  };
}

export function fullRepository(view: RepoView, pushedAt: string) {
  const base = `${view.api}/repos/${view.owner}/${view.name}`;
  const html = `${view.api}/${view.owner}/${view.name}`;
  const host = new URL(view.api).host;
  return {
    id: view.id,
    node_id: nodeId('Repository', view.id),
    name: view.name,
    full_name: `${view.owner}/${view.name}`,
    private: view.private,
    owner: simpleUser(view.api, view.owner, 'Organization'),
    html_url: html,
    description: null,
    fork: false,
    url: base,
    archive_url: `${base}/{archive_format}{/ref}`,
    assignees_url: `${base}/assignees{/user}`,
    blobs_url: `${base}/git/blobs{/sha}`,
    branches_url: `${base}/branches{/branch}`,
    collaborators_url: `${base}/collaborators{/collaborator}`,
    comments_url: `${base}/comments{/number}`,
    commits_url: `${base}/commits{/sha}`,
    compare_url: `${base}/compare/{base}...{head}`,
    contents_url: `${base}/contents/{+path}`,
    contributors_url: `${base}/contributors`,
    deployments_url: `${base}/deployments`,
    downloads_url: `${base}/downloads`,
    events_url: `${base}/events`,
    forks_url: `${base}/forks`,
    git_commits_url: `${base}/git/commits{/sha}`,
    git_refs_url: `${base}/git/refs{/sha}`,
    git_tags_url: `${base}/git/tags{/sha}`,
    git_url: `git://${host}/${view.owner}/${view.name}.git`,
    issue_comment_url: `${base}/issues/comments{/number}`,
    issue_events_url: `${base}/issues/events{/number}`,
    issues_url: `${base}/issues{/number}`,
    keys_url: `${base}/keys{/key_id}`,
    labels_url: `${base}/labels{/name}`,
    languages_url: `${base}/languages`,
    merges_url: `${base}/merges`,
    milestones_url: `${base}/milestones{/number}`,
    notifications_url: `${base}/notifications{?since,all,participating}`,
    pulls_url: `${base}/pulls{/number}`,
    releases_url: `${base}/releases{/id}`,
    ssh_url: `git@${host}:${view.owner}/${view.name}.git`,
    stargazers_url: `${base}/stargazers`,
    statuses_url: `${base}/statuses/{sha}`,
    subscribers_url: `${base}/subscribers`,
    subscription_url: `${base}/subscription`,
    tags_url: `${base}/tags`,
    teams_url: `${base}/teams`,
    trees_url: `${base}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${base}/hooks`,
    svn_url: html,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 0,
    default_branch: view.defaultBranch,
    open_issues_count: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: view.private ? 'private' : 'public',
    pushed_at: pushedAt,
    created_at: view.createdAt,
    updated_at: pushedAt,
    ...(view.permissions
      ? {
          permissions: {
            admin: view.permissions.admin,
            maintain: view.permissions.admin,
            push: view.permissions.push,
            triage: view.permissions.push,
            pull: view.permissions.pull,
          },
        }
      : {}),
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    forks: 0,
    open_issues: 0,
    watchers: 0,
    network_count: 0,
    subscribers_count: 0,
  };
}

export function commitObject(view: RepoView, commit: ParsedCommit) {
  const base = `${view.api}/repos/${view.owner}/${view.name}`;
  const html = `${view.api}/${view.owner}/${view.name}`;
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', commit.sha),
    commit: {
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      tree: { sha: commit.tree, url: `${base}/git/trees/${commit.tree}` },
      url: `${base}/git/commits/${commit.sha}`,
      comment_count: 0,
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    url: `${base}/commits/${commit.sha}`,
    html_url: `${html}/commit/${commit.sha}`,
    comments_url: `${base}/commits/${commit.sha}/comments`,
    // Git identities we do not map to GitHub accounts: GitHub answers null for those.
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({ sha, url: `${base}/commits/${sha}`, html_url: `${html}/commit/${sha}` })),
  };
}

export function branchWithProtection(view: RepoView, branch: string, commit: ParsedCommit) {
  const base = `${view.api}/repos/${view.owner}/${view.name}`;
  const encoded = encodeURIComponent(branch);
  return {
    name: branch,
    commit: commitObject(view, commit),
    _links: { self: `${base}/branches/${encoded}`, html: `${view.api}/${view.owner}/${view.name}/tree/${encoded}` },
    protected: false,
    protection: {
      enabled: false,
      required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] },
    },
    protection_url: `${base}/branches/${encoded}/protection`,
  };
}

export function gitRef(view: RepoView, ref: string, sha: string, type: string) {
  const base = `${view.api}/repos/${view.owner}/${view.name}`;
  const kind = type === 'tag' ? 'tags' : `${type}s`;
  return {
    ref,
    node_id: nodeId('Ref', `${view.id}:${ref}`),
    url: `${base}/git/${ref}`,
    object: { sha, type, url: `${base}/git/${kind}/${sha}` },
  };
}

export function gitTree(view: RepoView, sha: string, entries: readonly TreeEntry[], truncated: boolean) {
  const base = `${view.api}/repos/${view.owner}/${view.name}/git`;
  return {
    sha,
    url: `${base}/trees/${sha}`,
    tree: entries.map((entry) => {
      if (entry.type === 'blob') {
        return {
          path: entry.path,
          mode: entry.mode,
          type: entry.type,
          sha: entry.sha,
          size: entry.size,
          url: `${base}/blobs/${entry.sha}`,
        };
      }
      if (entry.type === 'tree') {
        return {
          path: entry.path,
          mode: entry.mode,
          type: entry.type,
          sha: entry.sha,
          url: `${base}/trees/${entry.sha}`,
        };
      }
      // Submodule entries point at a commit in another repository: GitHub gives them no url.
      return { path: entry.path, mode: entry.mode, type: entry.type, sha: entry.sha };
    }),
    truncated,
  };
}

/** Base64 as GitHub's blob API writes it: lines of 60 characters, each ending in "\n". */
function githubBase64(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const block = 45 * 1024; // 45 bytes encode to exactly one 60-character line
  const lines: string[] = [];
  for (let offset = 0; offset < buffer.length; offset += block) {
    const encoded = buffer.subarray(offset, offset + block).toString('base64');
    for (let i = 0; i < encoded.length; i += 60) lines.push(encoded.slice(i, i + 60));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export function blob(view: RepoView, sha: string, content: Uint8Array) {
  return {
    sha,
    node_id: nodeId('Blob', sha),
    size: content.byteLength,
    url: `${view.api}/repos/${view.owner}/${view.name}/git/blobs/${sha}`,
    content: githubBase64(content),
    encoding: 'base64',
  };
}

export function hook(view: RepoView, stored: StoredHook) {
  const base = `${view.api}/repos/${view.owner}/${view.name}/hooks/${stored.id}`;
  const { secret, ...config } = stored.config;
  return {
    type: 'Repository',
    id: stored.id,
    name: stored.name,
    active: stored.active,
    events: [...stored.events],
    // GitHub never echoes a webhook secret, only that one is set.
    config: secret === undefined ? config : { ...config, secret: '********' },
    updated_at: stored.updatedAt,
    created_at: stored.createdAt,
    url: base,
    test_url: `${base}/test`,
    ping_url: `${base}/pings`,
    deliveries_url: `${base}/deliveries`,
    last_response: { code: null, status: 'unused', message: null },
  };
}

export function rateLimitOverview(core: RateBucketView) {
  const fresh = (limit: number) => ({ limit, remaining: limit, reset: core.reset, used: 0, resource: '' });
  const named = (resource: string, limit: number) => ({ ...fresh(limit), resource });
  const coreView = {
    limit: core.limit,
    remaining: core.remaining,
    reset: core.reset,
    used: core.used,
    resource: 'core',
  };
  return {
    resources: {
      core: coreView,
      search: named('search', 30),
      graphql: named('graphql', core.limit),
      integration_manifest: named('integration_manifest', 5000),
      source_import: named('source_import', 100),
      code_scanning_upload: named('code_scanning_upload', 1000),
      actions_runner_registration: named('actions_runner_registration', 10000),
      scim: named('scim', 15000),
      dependency_snapshots: named('dependency_snapshots', 100),
      code_search: named('code_search', 10),
    },
    rate: coreView,
  };
}
