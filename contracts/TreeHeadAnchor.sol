// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title TreeHeadAnchor
/// @notice Anchors the tree heads (tree size, root hash) of an RFC 9162 transparency log. A new head is
/// accepted only with a valid RFC 9162 §2.1.4 consistency proof from the last anchored head, so the chain
/// itself guarantees the log is append-only. Hashes use the SHA-256 precompile:
/// node hash = SHA-256(0x01 || left || right).
/// @dev Views (fixed interface, see DESIGN.md "Contract views"): treeHead(uint64) and latestTreeSize().
contract TreeHeadAnchor is AccessControl {
    /// @notice Role allowed to anchor tree heads; granted to the deployer.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @notice Which comparison of RFC 9162 §2.1.4.2 step 7 failed.
    enum ProofFailure {
        OldRootMismatch,
        NewRootMismatch
    }

    struct TreeHead {
        bytes32 rootHash;
        uint64 anchoredAt;
    }

    mapping(uint64 treeSize => TreeHead) private _heads;
    uint64 private _latestTreeSize;

    /// @notice A tree head was anchored at block time `anchoredAt` (seconds since the Unix epoch).
    event TreeHeadAnchored(uint64 indexed treeSize, bytes32 rootHash, uint64 anchoredAt);

    /// @notice The caller does not hold ANCHORER_ROLE.
    error NotAnchorer(address account);
    /// @notice Tree heads must grow: `treeSize` must exceed `latestTreeSize`.
    error TreeSizeNotIncreasing(uint64 treeSize, uint64 latestTreeSize);
    /// @notice The zero hash marks "never anchored" and cannot be a root.
    error ZeroRootHash();
    /// @notice The consistency proof has the wrong number of hashes for (latest size, new size).
    error ConsistencyProofWrongSize(uint256 got, uint256 want);
    /// @notice The consistency proof does not lead to the anchored old root or to the new root.
    error ConsistencyProofMismatch(ProofFailure reason, bytes32 computed, bytes32 expected);

    constructor() {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
        _grantRole(ANCHORER_ROLE, msg.sender);
    }

    /// @notice Anchor the head (treeSize, rootHash). The first head needs an empty proof; every later head
    /// needs the RFC 9162 consistency proof PROOF(latestTreeSize, D[treeSize]).
    function anchorTreeHead(uint64 treeSize, bytes32 rootHash, bytes32[] calldata consistencyProof) external {
        if (!hasRole(ANCHORER_ROLE, msg.sender)) revert NotAnchorer(msg.sender);
        uint64 oldSize = _latestTreeSize;
        if (treeSize <= oldSize) revert TreeSizeNotIncreasing(treeSize, oldSize);
        if (rootHash == bytes32(0)) revert ZeroRootHash();
        if (oldSize == 0) {
            if (consistencyProof.length != 0) revert ConsistencyProofWrongSize(consistencyProof.length, 0);
        } else {
            _verifyConsistency(oldSize, treeSize, _heads[oldSize].rootHash, rootHash, consistencyProof);
        }
        uint64 anchoredAt = uint64(block.timestamp);
        _heads[treeSize] = TreeHead(rootHash, anchoredAt);
        _latestTreeSize = treeSize;
        emit TreeHeadAnchored(treeSize, rootHash, anchoredAt);
    }

    /// @notice The anchored root of `treeSize` and its block time; (0, 0) when never anchored.
    function treeHead(uint64 treeSize) external view returns (bytes32 rootHash, uint64 anchoredAt) {
        TreeHead storage head = _heads[treeSize];
        return (head.rootHash, head.anchoredAt);
    }

    /// @notice The largest anchored tree size (0 before the first anchor).
    function latestTreeSize() external view returns (uint64) {
        return _latestTreeSize;
    }

    /// @notice The root hash of the largest anchored tree (zero before the first anchor).
    function latestRootHash() external view returns (bytes32) {
        return _heads[_latestTreeSize].rootHash;
    }

    /// @notice Number of hashes in PROOF(oldSize, D[newSize]) for 0 < oldSize < newSize.
    function consistencyProofSize(uint64 oldSize, uint64 newSize) public pure returns (uint256) {
        // The inclusion path of leaf oldSize - 1 in the new tree: `inner` levels where its path and the
        // last leaf's path differ (a sibling at every level), then the right border (a sibling where the
        // index has a 1 bit). The levels inside the old tree's rightmost perfect subtree (2^shift leaves)
        // are replaced by that subtree's hash, which is omitted when it is the whole old tree.
        uint64 index = oldSize - 1;
        uint256 inner = _bitLength(index ^ (newSize - 1));
        uint256 border = _popCount(index >> inner);
        uint256 shift = _trailingZeros(oldSize);
        uint256 size = inner + border - shift;
        return (oldSize & index) == 0 ? size : size + 1;
    }

    /// RFC 9162 §2.1.4.2, for 0 < oldSize < newSize. Steps:
    /// (1) the proof has exactly consistencyProofSize(oldSize, newSize) hashes;
    /// (2) if oldSize is a power of two, the old root is the implicit first proof value;
    /// (3) fn = oldSize - 1, sn = newSize - 1; shift both right while LSB(fn) is set;
    /// (4) fr = sr = first proof value;
    /// (5) for each later c: if LSB(fn) is set or fn == sn, fr = H(c, fr), sr = H(c, sr) and shift both
    ///     right until LSB(fn) is set or fn is 0; otherwise sr = H(sr, c); then shift both right once;
    /// (6) fr must equal the old root and sr the new root (sn is then 0 by the size check in (1)).
    function _verifyConsistency(
        uint64 oldSize,
        uint64 newSize,
        bytes32 oldRoot,
        bytes32 newRoot,
        bytes32[] calldata proof
    ) internal pure {
        // (1):
        uint256 want = consistencyProofSize(oldSize, newSize);
        if (proof.length != want) revert ConsistencyProofWrongSize(proof.length, want);
        // (2):
        uint256 next = 0;
        bytes32 first = oldRoot;
        if ((oldSize & (oldSize - 1)) != 0) {
            first = proof[0];
            next = 1;
        }
        // (3):
        uint64 fn = oldSize - 1;
        uint64 sn = newSize - 1;
        while (fn & 1 == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        // (4):
        bytes32 fr = first;
        bytes32 sr = first;
        // (5):
        for (uint256 i = next; i < proof.length; ++i) {
            bytes32 c = proof[i];
            if (fn & 1 == 1 || fn == sn) {
                fr = _hashChildren(c, fr);
                sr = _hashChildren(c, sr);
                while (fn != 0 && fn & 1 == 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = _hashChildren(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        // (6):
        if (fr != oldRoot) revert ConsistencyProofMismatch(ProofFailure.OldRootMismatch, fr, oldRoot);
        if (sr != newRoot) revert ConsistencyProofMismatch(ProofFailure.NewRootMismatch, sr, newRoot);
    }

    function _hashChildren(bytes32 left, bytes32 right) private pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right));
    }

    function _bitLength(uint64 x) private pure returns (uint256 n) {
        while (x != 0) {
            x >>= 1;
            ++n;
        }
    }

    function _popCount(uint64 x) private pure returns (uint256 n) {
        while (x != 0) {
            x &= x - 1;
            ++n;
        }
    }

    function _trailingZeros(uint64 x) private pure returns (uint256 n) {
        while (x & 1 == 0) {
            x >>= 1;
            ++n;
        }
    }
}
