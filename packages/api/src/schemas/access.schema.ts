import { ROLES } from '@serialtrace/core';
import Type from 'typebox';
import { Instant, Nullable } from './common.schema.js';

const Role = Type.Enum(ROLES);

export const LoginRequest = Type.Object(
  {
    username: Type.String({ maxLength: 100 }),
    password: Type.String({ maxLength: 1000 }),
    company: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'The company\'s name. Usernames are unique per company; without it, the user of that name whose password matches signs in.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const Identity = Type.Object({
  kind: Type.Enum(['user', 'key']),
  id: Type.String(),
  name: Type.String(),
  role: Role,
  companyId: Type.Integer(),
  company: Type.String(),
  systemAdmin: Type.Boolean(),
  actor: Type.String({ description: 'How the audit trail names this user or key.' }),
});

/** Who is calling, and whether they must choose their own password before anything else. */
export const Me = Type.Object({
  ...Identity.properties,
  mustChangePassword: Type.Boolean({
    description: 'A password someone else set: until it is changed, only POST /api/v1/auth/password, GET /api/v1/auth/me and POST /api/v1/auth/logout are allowed.',
  }),
});

export const ServerInfo = Type.Object({
  version: Type.String(),
  now: Instant,
  timeZone: Type.String({ description: 'The time zone of series created without one.' }),
});

export const LoginResult = Type.Object({ identity: Identity, expiresAt: Instant, mustChangePassword: Type.Boolean() });

export const PasswordChange = Type.Object(
  { currentPassword: Type.String({ maxLength: 1000 }), newPassword: Type.String({ maxLength: 1000 }) },
  { additionalProperties: false },
);

export const UserView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Role,
  systemAdmin: Type.Boolean(),
  disabled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  createdAt: Instant,
  createdBy: Type.String(),
  updatedAt: Instant,
});

export const UserList = Type.Object({ users: Type.Array(UserView) });

export const UserCreate = Type.Object(
  { username: Type.String(), password: Type.String({ maxLength: 1000 }), role: Type.String({ description: ROLES.join(', ') }) },
  { additionalProperties: false },
);

export const UserUpdate = Type.Object(
  {
    role: Type.Optional(Type.String({ description: ROLES.join(', ') })),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ maxLength: 1000, description: 'A new password; the user must change it at the next sign-in.' })),
  },
  { additionalProperties: false },
);

export const UsernameParams = Type.Object({ username: Type.String() });

export const ApiKeyCreate = Type.Object(
  {
    name: Type.String({ description: 'What the key is for, e.g. "Line 3 laser marker".' }),
    role: Type.String({ description: ROLES.join(', ') }),
    expiresAt: Type.Optional(Nullable(Type.String({ description: 'ISO-8601 instant after which the key no longer works.' }))),
    station: Type.Optional(Nullable(Type.String({ description: 'Station recorded in the audit trail when a request names none.' }))),
  },
  { additionalProperties: false },
);

export const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  station: Nullable(Type.String()),
  expiresAt: Nullable(Instant),
  createdAt: Instant,
  createdBy: Type.String(),
  revokedAt: Nullable(Instant),
  revokedBy: Nullable(Type.String()),
});

export const ApiKeyCreated = Type.Object({
  ...ApiKeyView.properties,
  key: Type.String({ description: 'The secret, shown this once: send it as `Authorization: Bearer <key>`.' }),
});

export const ApiKeyList = Type.Object({ apiKeys: Type.Array(ApiKeyView) });
export const ApiKeyParams = Type.Object({ id: Type.String() });

export const CompanyView = Type.Object({ id: Type.Integer(), name: Type.String(), createdAt: Instant });
export const CompanyList = Type.Object({ companies: Type.Array(CompanyView) });
export const CompanyCreate = Type.Object(
  {
    name: Type.String(),
    adminUsername: Type.String({ description: 'The first admin of the new company.' }),
    adminPassword: Type.Optional(Type.String({ maxLength: 1000, description: 'Generated and returned once when omitted.' })),
  },
  { additionalProperties: false },
);
export const CompanyCreated = Type.Object({
  company: CompanyView,
  admin: UserView,
  initialPassword: Nullable(Type.String({ description: 'The generated password, shown this once (null when one was given).' })),
});

export const Health = Type.Object({ status: Type.String() });
